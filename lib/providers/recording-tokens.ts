import type { AccessTokenSource } from '../auth/access-token';

/** A token source that remembers the last token it handed out. */
export interface RecordingTokens extends AccessTokenSource {
  /** Drops the token last handed out, if any, so the next `token()` gets a new one. */
  invalidateUsed(): Promise<void>;
}

/**
 * Wraps `tokens` for one batch request. A batch can answer 200 while its parts answer 401, and
 * only the token that batch was sent with may be dropped then: `invalidate` of the current token
 * could throw away one that another batch has just renewed.
 */
export function recordingTokens(tokens: AccessTokenSource): RecordingTokens {
  let used: string | null = null;
  return {
    async token(signal) {
      used = await tokens.token(signal);
      return used;
    },
    invalidate: (token) => tokens.invalidate(token),
    invalidateUsed: async () => {
      if (used !== null) await tokens.invalidate(used);
    },
  };
}
