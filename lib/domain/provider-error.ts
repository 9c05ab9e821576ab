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
  at: z.iso.datetime(),
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
