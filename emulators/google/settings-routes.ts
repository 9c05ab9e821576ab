import { Hono } from 'hono';
import { type GmailDeps, type GmailEnv, gmailJson, gmailOperation } from './gmail-context';
import { labelResources } from './labels';
import { OPERATIONS } from './operations';

/**
 * `users.getProfile`, `users.labels.list` and `users.settings.sendAs.list`. SendAs follows the
 * API reference: the primary address is `isPrimary` and `isDefault`; `verificationStatus` and
 * `treatAsAlias` apply to custom "from" aliases only, so only the aliases carry them. Empty
 * fields (no reply-to) are left out, as Google's JSON leaves out unset fields.
 */
export function settingsRoutes(deps: GmailDeps): Hono<GmailEnv> {
  const app = new Hono<GmailEnv>();

  app.get('/users/:userId/profile', gmailOperation(deps, OPERATIONS.getProfile), (c) => {
    const { state } = c.get('session');
    return gmailJson(c, {
      emailAddress: state.mailbox.address,
      messagesTotal: state.byId.size,
      threadsTotal: state.threads.size,
      historyId: String(state.historyId),
    });
  });

  app.get('/users/:userId/labels', gmailOperation(deps, OPERATIONS.labelsList), (c) => gmailJson(c, { labels: labelResources(c.get('session').state.userLabels) }));

  app.get('/users/:userId/settings/sendAs', gmailOperation(deps, OPERATIONS.sendAsList), (c) => {
    const { mailbox } = c.get('session').state;
    const replyTo = mailbox.replyTo ? { replyToAddress: mailbox.replyTo } : {};
    return gmailJson(c, {
      sendAs: [
        { sendAsEmail: mailbox.address, displayName: mailbox.displayName, ...replyTo, signature: '', isPrimary: true, isDefault: true },
        ...mailbox.aliases.map((alias) => ({
          sendAsEmail: alias,
          displayName: mailbox.displayName,
          ...replyTo,
          signature: '',
          isDefault: false,
          treatAsAlias: true,
          verificationStatus: 'accepted',
        })),
      ],
    });
  });

  return app;
}
