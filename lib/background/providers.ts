import type { AccessTokenSource } from '../auth/access-token';
import type { OAuthMailProvider } from '../domain';
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
  return mailbox.provider === 'gmail'
    ? createGmailProvider({ mailboxId: mailbox.id, tokens: mailbox.tokens, gmailApiUrl: deps.endpoints.google.gmailApiUrl, revoke })
    : createOutlookProvider({ mailboxId: mailbox.id, tokens: mailbox.tokens, graphApiUrl: deps.endpoints.microsoft.graphApiUrl, revoke });
}
