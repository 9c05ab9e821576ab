/** A token pair as the extension keeps it. */
export interface Grant {
  accessToken: string;
  /** Milliseconds since the epoch. */
  accessExpiresAt: number;
  refreshToken: string | null;
  refreshExpiresAt: number | null;
  scope: string;
}
