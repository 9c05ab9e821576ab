import type { AccessTokenSource } from '../auth/access-token';
import type { OAuthMailProvider } from '../domain';
import { limiterStateStore } from '../platform/limiter-state';
import type { MailProvider } from '../providers/mail-provider';
import { createGmailProvider } from '../providers/gmail';
import { createOutlookProvider } from '../providers/outlook';
import type { BackgroundDeps } from './deps';


/** The provider client for a mailbox, pointed at this build's endpoints. */
export function createMailProvider(
  deps: BackgroundDeps,
  mailbox: { id: string; provider: OAuthMailProvider; tokens: AccessTokenSource },
  revoke: () => Promise<void>,
): MailProvider {
  // The quota spent in the last window outlives the worker (session storage), per mailbox.
  const limiterState = limiterStateStore(mailbox.id);
  return mailbox.provider === 'gmail'
    ? createGmailProvider({ mailboxId: mailbox.id, tokens: mailbox.tokens, gmailApiUrl: deps.endpoints.google.gmailApiUrl, revoke, limiterState })
    : createOutlookProvider({ mailboxId: mailbox.id, tokens: mailbox.tokens, graphApiUrl: deps.endpoints.microsoft.graphApiUrl, revoke, limiterState });
}
