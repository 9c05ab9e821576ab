/**
 * What provider and CRM clients need from sign-in: a valid access token, and a way to say "this
 * one was refused" so the next call gets a fresh one. Implementations live in the background only;
 * tokens never travel to pages or content scripts.
 */
export interface AccessTokenSource {
  /** A token that is valid now, refreshed (or silently renewed) when needed. */
  token(signal?: AbortSignal): Promise<string>;
  /** The peer answered 401 with this token: forget it so `token()` gets a new one. */
  invalidate(token: string): Promise<void>;
}

/** A fixed token, e.g. a CRM personal access token: it cannot be refreshed, only replaced. */
export function staticToken(value: string): AccessTokenSource {
  return { token: async () => value, invalidate: async () => undefined };
}
