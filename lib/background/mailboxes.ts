import { staticToken } from '../auth/access-token';
import { saveGrant } from '../auth/token-store';
import { defaultVisibility, type Mailbox, mailboxSchema, type MailboxKind, providerError, type Scope } from '../domain';
import type { MailProvider } from '../providers/mail-provider';
import type { BackgroundDeps } from './deps';
import { mailboxIdFor, mailboxTokens, type OAuthMailProvider, revokeMailbox, signIn } from './mailbox-auth';
import { createMailProvider } from './providers';

export interface ConnectInput {
  provider: OAuthMailProvider;
  scope: Scope;
  kind: MailboxKind;
  owner: string | null;
  recoveryNote: string | null;
  backfillDays: number;
}

/**
 * One-click connect (R1, R2): sign in, read who the mailbox is from the provider (R7), keep the
 * tokens under that address and save the mailbox. Connecting a mailbox that is already there
 * renews its sign-in and keeps its settings.
 */
export async function connectMailbox(deps: BackgroundDeps, input: ConnectInput): Promise<Mailbox> {
  const signedIn = await signIn(deps, input.provider);
  const token = signedIn.kind === 'chrome' ? signedIn.accessToken : signedIn.grant.accessToken;
  const identity = await createMailProvider(deps, { id: 'connecting', provider: input.provider, tokens: staticToken(token) }).identity();
  const id = mailboxIdFor(input.provider, identity.address);
  if (signedIn.kind === 'oauth') await saveGrant(id, signedIn.grant);

  const existing = await deps.db.mailboxes.get(id);
  const mailbox = mailboxSchema.parse(
    existing
      ? { ...existing, status: 'connected', lastError: null, identity: withoutAddress(identity) }
      : {
          id,
          provider: input.provider,
          address: identity.address.toLowerCase(),
          scope: input.scope,
          kind: input.kind,
          owner: input.owner,
          recoveryNote: input.recoveryNote,
          visibility: defaultVisibility(input.scope),
          backfillDays: input.backfillDays,
          status: 'connected',
          lastError: null,
          identity: withoutAddress(identity),
          checklist: {},
          createdAt: new Date().toISOString(),
        },
  );
  await deps.db.mailboxes.put(mailbox);
  return mailbox;
}

/**
 * Signs a mailbox in again after "Reconnect needed" (R2, R12). The account that signs in must be
 * the mailbox's own; another account is refused rather than silently swapped.
 */
export async function reconnectMailbox(deps: BackgroundDeps, id: string): Promise<Mailbox> {
  const mailbox = await requireMailbox(deps, id);
  const provider = oauthProvider(mailbox);
  const signedIn = await signIn(deps, provider, mailbox.address);
  const token = signedIn.kind === 'chrome' ? signedIn.accessToken : signedIn.grant.accessToken;
  const identity = await createMailProvider(deps, { id, provider, tokens: staticToken(token) }).identity();
  if (identity.address.toLowerCase() !== mailbox.address) {
    throw providerError('insufficient_permissions', mailbox.provider === 'gmail' ? 'gmail' : 'outlook', {
      detail: `You signed in as ${identity.address}, but this mailbox is ${mailbox.address}. Reconnect with ${mailbox.address}.`,
    });
  }
  if (signedIn.kind === 'oauth') await saveGrant(id, signedIn.grant);
  const updated = mailboxSchema.parse({ ...mailbox, status: 'connected', lastError: null, identity: withoutAddress(identity) });
  await deps.db.mailboxes.put(updated);
  return updated;
}

/**
 * Disconnect (R34): revoke the provider grant, forget the tokens and purge everything the
 * extension holds for the mailbox, in one transaction. What was pushed stays in the CRM.
 */
export async function disconnectMailbox(deps: BackgroundDeps, id: string): Promise<void> {
  const mailbox = await requireMailbox(deps, id);
  await revokeMailbox(deps, oauthProvider(mailbox), mailbox.address);
  const { db } = deps;
  await db.transaction('rw', [db.mailboxes, db.messages, db.threadLinks, db.outbox, db.syncRuns, db.checkpoints], async () => {
    for (const table of [db.messages, db.threadLinks, db.outbox, db.syncRuns, db.checkpoints]) await table.where('mailboxId').equals(id).delete();
    await db.mailboxes.delete(id);
  });
}

/** The provider client of a connected mailbox, signing its requests with the stored grant. */
export function mailboxProvider(deps: BackgroundDeps, mailbox: Mailbox): MailProvider {
  const provider = oauthProvider(mailbox);
  return createMailProvider(deps, { id: mailbox.id, provider, tokens: mailboxTokens(deps, provider, mailbox.address) }, () =>
    revokeMailbox(deps, provider, mailbox.address),
  );
}

async function requireMailbox(deps: BackgroundDeps, id: string): Promise<Mailbox> {
  const row = await deps.db.mailboxes.get(id);
  if (!row) throw new Error('That mailbox is no longer connected. Reopen the popup to see the current list.');
  return mailboxSchema.parse(row);
}

function oauthProvider(mailbox: Mailbox): OAuthMailProvider {
  if (mailbox.provider === 'imap') throw new Error('IMAP mailboxes sign in through the bridge, not OAuth.');
  return mailbox.provider;
}

function withoutAddress({ displayName, replyTo, aliases }: { displayName: string; replyTo: string | null; aliases: string[] }) {
  return { displayName, replyTo, aliases };
}
