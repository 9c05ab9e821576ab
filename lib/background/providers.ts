import type { AccessTokenSource } from '../auth/access-token';
import type { OAuthMailProvider } from '../domain';
import type { LimiterStateStore } from '../http/limiter-state';
import type { MailProvider } from '../providers/mail-provider';
import { createGmailProvider } from '../providers/gmail';
import { createOutlookProvider } from '../providers/outlook';
import type { BackgroundDeps } from './deps';

/**
 * The provider client for a mailbox, pointed at this build's endpoints. `limiterState` is where
 * its quota spent in the last window outlives the worker (session storage, per mailbox); none for
 * the one identity read of a sign-in, whose mailbox is not known yet.
 */
export function createMailProvider(
  deps: BackgroundDeps,
  mailbox: { id: string; provider: OAuthMailProvider; tokens: AccessTokenSource },
  revoke: () => Promise<void>,
  limiterState?: LimiterStateStore,
): MailProvider {
  return mailbox.provider === 'gmail'
    ? createGmailProvider({ mailboxId: mailbox.id, tokens: mailbox.tokens, gmailApiUrl: deps.endpoints.google.gmailApiUrl, revoke, limiterState })
    : createOutlookProvider({ mailboxId: mailbox.id, tokens: mailbox.tokens, graphApiUrl: deps.endpoints.microsoft.graphApiUrl, revoke, limiterState });
}
