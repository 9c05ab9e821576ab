import { z } from 'zod';

/** Every way a provider or CRM call can fail, as the sync engine and the UI see it (R12). */
export const providerErrorCodeSchema = z.enum([
  'auth_expired',
  'reauth_required',
  'insufficient_permissions',
  'rate_limited',
  'quota_exhausted',
  'cursor_expired',
  'not_found',
  'server',
  'network',
  'bad_response',
]);
export type ProviderErrorCode = z.infer<typeof providerErrorCodeSchema>;

/** The action that fixes an error, shown next to its message. */
export const errorActionSchema = z.enum(['reconnect', 'grant_permission', 'wait', 'retry', 'none']);
export type ErrorAction = z.infer<typeof errorActionSchema>;

export const providerErrorSchema = z.object({
  code: providerErrorCodeSchema,
  source: z.enum(['gmail', 'outlook', 'imap', 'crm']),
  /** Plain words for the user; never a stack trace, token or message body. */
  message: z.string().min(1),
  action: errorActionSchema,
  retryable: z.boolean(),
  retryAfterMs: z.number().int().nonnegative().nullable(),
  /** When it happened, milliseconds since the epoch: it is stored in mailbox and run rows. */
  at: z.number().int(),
});
export type ProviderErrorData = z.infer<typeof providerErrorSchema>;

/** A typed error thrown by provider and CRM clients; `toJSON` gives the stored shape. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(readonly data: ProviderErrorData) {
    super(data.message);
  }
  get code(): ProviderErrorCode {
    return this.data.code;
  }
  get retryable(): boolean {
    return this.data.retryable;
  }
  toJSON(): ProviderErrorData {
    return this.data;
  }
}

type Source = ProviderErrorData['source'];
const SOURCE_NAMES: Record<Source, string> = { gmail: 'Gmail', outlook: 'Outlook', imap: 'The mail server', crm: 'The CRM' };

/** Plain words, fixing action and retryability for each code (R12). */
const CATALOGUE: Record<ProviderErrorCode, (source: string) => { message: string; action: ErrorAction; retryable: boolean }> = {
  auth_expired: (s) => ({ message: `${s} sign-in expired and is being renewed.`, action: 'retry', retryable: true }),
  reauth_required: (s) => ({ message: `${s} needs you to sign in again.`, action: 'reconnect', retryable: false }),
  insufficient_permissions: (s) => ({
    message: `${s} did not grant the access the extension needs.`,
    action: 'grant_permission',
    retryable: false,
  }),
  rate_limited: (s) => ({ message: `${s} is limiting requests for a moment.`, action: 'wait', retryable: true }),
  quota_exhausted: (s) => ({ message: `${s}'s daily limit for this account is used up.`, action: 'wait', retryable: false }),
  cursor_expired: (s) => ({ message: `${s} no longer knows where the last sync stopped.`, action: 'none', retryable: false }),
  not_found: (s) => ({ message: `${s} could not find what was asked for.`, action: 'none', retryable: false }),
  server: (s) => ({ message: `${s} had a temporary problem.`, action: 'retry', retryable: true }),
  network: (s) => ({ message: `Could not reach ${s}. Check the internet connection.`, action: 'retry', retryable: true }),
  bad_response: (s) => ({ message: `${s} sent an answer the extension could not read.`, action: 'retry', retryable: true }),
};

/**
 * Builds the typed error for a code, with the catalogue's plain words. `detail` is appended for
 * context the user can act on (e.g. which permission); it must never hold tokens or mail content.
 * `final` marks an answer that asking again cannot change (a 4xx the peer refused on its merits):
 * not retried, and no action offered.
 */
export function providerError(
  code: ProviderErrorCode,
  source: Source,
  extra: { retryAfterMs?: number | null; detail?: string; final?: boolean } = {},
): ProviderError {
  const words = CATALOGUE[code](SOURCE_NAMES[source]);
  return new ProviderError({
    code,
    source,
    message: extra.detail ? `${words.message} ${extra.detail}` : words.message,
    action: extra.final ? 'none' : words.action,
    retryable: extra.final ? false : words.retryable,
    retryAfterMs: extra.retryAfterMs ?? null,
    at: Date.now(),
  });
}

/** What a peer's value must look like to be quoted: an error code, a scope or a field name. */
const ECHOABLE_TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * `value` when it is a short token that an error message may quote, else null. Servers choose the
 * strings in their error answers, and a hostile one (a CRM address typed in, an authorization
 * server) could otherwise put its own sentences, links or control characters into words the UI
 * shows and the logs keep; callers fall back to their generic words.
 */
export function echoableToken(value: unknown): string | null {
  return typeof value === 'string' && ECHOABLE_TOKEN.test(value) ? value : null;
}
