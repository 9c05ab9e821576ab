import { bestEffort } from '../async';
import { type AccessTokenSource, staticToken } from '../auth/access-token';
import { deleteMailboxAndData, getMailbox, listMailboxes, otherMailboxOf, putMailbox, updateMailbox } from '../db';
import { defaultVisibility, type Mailbox, mailboxIdFor, mailboxSchema, type MailboxKind, type OAuthMailProvider, providerError, type Scope, type SenderIdentity, senderIdentitySchema, withSenderIdentity } from '../domain';
import { MessagingError } from '../messaging';
import { limiterStateStore, recordDisconnect } from '../platform';
import type { MailboxIdentity, MailProvider } from '../providers/mail-provider';
import { forgetCrmRecord, keepCrmRecordInStep } from './crm-mailbox';
import type { BackgroundDeps } from './deps';
import { mailboxTokens, REMOVE_ACCESS_PAGES, replaceMailboxGrant, revocationEndsAuthorization, revokeMailbox, revokeToken, signIn } from './mailbox-auth';
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
 * One provider client per mailbox in this background, so its rate limits (Gmail's per-user quota,
 * Graph's per-mailbox concurrency) and their stored state have one owner, shared by every caller.
 * It outlives a reconnect (its tokens are read from the token store on each call) and is dropped
 * on disconnect. Kept per set of dependencies: a client is made with them.
 */
const providerClients = new WeakMap<BackgroundDeps, Map<string, MailProvider>>();

function providersOf(deps: BackgroundDeps): Map<string, MailProvider> {
  let clients = providerClients.get(deps);
  if (!clients) providerClients.set(deps, (clients = new Map()));
  return clients;
}

/**
 * One-click connect (R1, R2): sign in, read who the mailbox is from the provider (R7), keep the
 * tokens under that address and save the mailbox. Connecting a mailbox that is already there
 * renews its sign-in (see `replaceMailboxGrant`) and keeps its settings; a sender identity read
 * differently from the one confirmed re-opens "sender verified". When the mailbox cannot be read
 * after the sign-in, that fresh grant is revoked again, so no access is left behind. The CRM's
 * record of the mailbox follows (see `keepCrmRecordInStep`).
 */
export async function connectMailbox(deps: BackgroundDeps, input: ConnectInput): Promise<Mailbox> {
  const signedIn = await signIn(deps, input.provider);
  const identity = await readIdentity(deps, input.provider, signedIn.accessToken);
  const id = mailboxIdFor(input.provider, identity.address);
  if (signedIn.grant) await replaceMailboxGrant(input.provider, identity.address, signedIn.grant);
  else await refuseSecondChromeAccount(deps, id);

  const existing = await getMailbox(deps.db, id);
  const mailbox = mailboxSchema.parse(
    existing
      ? withSenderIdentity({ ...existing, status: 'connected', lastError: null, disconnectingSince: null }, senderIdentity(identity))
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
          identity: senderIdentity(identity),
          checklist: {},
          createdAt: Date.now(),
        },
  );
  const saved = await putMailbox(deps.db, mailbox);
  return (await keepCrmRecordInStep(deps, saved)) ?? saved;
}

/**
 * Signs a mailbox in again after "Reconnect needed" (R2, R12). The account that signs in must be
 * the mailbox's own; another account is refused rather than silently swapped. The new grant
 * replaces the old one (see `replaceMailboxGrant`). The identity is read again: a changed display
 * name or reply-to re-opens "sender verified" (R7). The CRM's record follows.
 */
export async function reconnectMailbox(deps: BackgroundDeps, id: string): Promise<Mailbox> {
  const mailbox = await requireMailbox(deps, id);
  const provider = oauthProvider(mailbox);
  const signedIn = await signIn(deps, provider, mailbox.address);
  const identity = await readIdentity(deps, provider, signedIn.accessToken);
  if (identity.address.toLowerCase() !== mailbox.address) {
    // A grant of the wrong account is not kept; Chrome's own token is Chrome's to keep. Nor is it
    // revoked when that account is a connected mailbox too: Google would end that mailbox's
    // access with it (a revocation covers every token of the user and client).
    const other = await getMailbox(deps.db, mailboxIdFor(provider, identity.address));
    if (signedIn.grant && !other) await bestEffort("revoke the other account's sign-in", revokeToken(deps, provider, signedIn.accessToken));
    throw providerError('insufficient_permissions', provider, {
      detail: `You signed in as ${identity.address}, but this mailbox is ${mailbox.address}. Reconnect with ${mailbox.address}.`,
      final: true,
    });
  }
  if (signedIn.grant) await replaceMailboxGrant(provider, mailbox.address, signedIn.grant);
  const saved = await putMailbox(deps.db, withSenderIdentity({ ...mailbox, status: 'connected', lastError: null }, senderIdentity(identity)));
  return (await keepCrmRecordInStep(deps, saved)) ?? saved;
}

/**
 * What a disconnect did: `revoked` only when the provider confirmed it, else where to remove the
 * access by hand; `crmRecordError` in plain words when the CRM's record of the mailbox could not be
 * removed (null when it was, or there is no CRM).
 */
export interface Disconnected {
  id: string;
  address: string;
  provider: Mailbox['provider'];
  revoked: boolean;
  removeAccessUrl: string | null;
  crmRecordError: string | null;
}

/**
 * Disconnect (R34): mark the mailbox as being disconnected (persisted first: the engine runs
 * nothing for it from then on, and a worker that stops before the end leaves the mark for the next
 * start, `finishInterruptedDisconnects`), then `completeDisconnect`. The local part always
 * happens; `revoked` is true only when the provider confirmed the revocation (never for Outlook,
 * which has none), and otherwise the answer names the page where the user removes the access by hand.
 */
export async function disconnectMailbox(deps: BackgroundDeps, id: string): Promise<Disconnected> {
  const found = await getMailbox(deps.db, id);
  if (!found) throw MessagingError.of('handler_failed', 'That mailbox is no longer connected. Reopen the popup to see the current list.');
  const mailbox = (await updateMailbox(deps.db, id, (m) => (m.disconnectingSince === null ? { ...m, disconnectingSince: Date.now() } : m))) ?? found;
  return completeDisconnect(deps, mailbox);
}

/**
 * The rest of a disconnect, once the mailbox is marked: revoke the provider grant and forget the
 * tokens, remove the CRM's record of the mailbox (best effort, reported), and purge everything the
 * extension holds for it, in one transaction; the disconnect is remembered, so the mailboxes
 * that replace it are asked for a test send (R35). What was pushed stays in the CRM. Each step may
 * run again after an interruption: a revocation or removal already done fails or finds nothing.
 */
async function completeDisconnect(deps: BackgroundDeps, mailbox: Mailbox): Promise<Disconnected> {
  const provider = oauthProvider(mailbox);
  // A revocation that fails is recorded, and reported through `revoked: false` and the page to use instead.
  const revoked = (await bestEffort('revoke the disconnected mailbox', revokeMailbox(deps, provider, mailbox.address))) ?? false;
  providersOf(deps).delete(mailbox.id);
  const crmRecordError = await forgetCrmRecord(deps, mailbox.address);
  await deleteMailboxAndData(deps.db, mailbox.id);
  // The mailboxes that stay, and the replacement connected next, owe a test that comes back through sync (R35).
  await recordDisconnect({ mailboxId: mailbox.id, address: mailbox.address, at: Date.now() });
  return { id: mailbox.id, address: mailbox.address, provider: mailbox.provider, revoked, removeAccessUrl: revoked ? null : REMOVE_ACCESS_PAGES[provider], crmRecordError };
}

/**
 * Worker start: a disconnect the previous worker did not finish (its mark is stored, R34) is
 * finished now, before its mailbox's data or jobs are used again. Each is tried on its own; one
 * that fails is logged and tried again at the next start, its mailbox still held by the mark.
 */
export async function finishInterruptedDisconnects(deps: BackgroundDeps): Promise<void> {
  for (const mailbox of await listMailboxes(deps.db)) {
    if (mailbox.disconnectingSince !== null) await bestEffort('finish an interrupted disconnect', completeDisconnect(deps, mailbox));
  }
}

/** The provider client of a connected mailbox, signing its requests with the stored grant. */
export function mailboxProvider(deps: BackgroundDeps, mailbox: Mailbox): MailProvider {
  const provider = oauthProvider(mailbox);
  const providers = providersOf(deps);
  let client = providers.get(mailbox.id);
  if (!client) {
    const tokens: AccessTokenSource = mailboxTokens(deps, provider, mailbox.address);
    client = createMailProvider(
      deps,
      { id: mailbox.id, provider, tokens },
      async () => {
        await revokeMailbox(deps, provider, mailbox.address);
      },
      limiterStateStore(mailbox.id),
    );
    providers.set(mailbox.id, client);
  }
  return client;
}

/**
 * Who signed in, read with the fresh token. When that fails (a permission left unticked on the
 * consent screen, say) the fresh grant is revoked before the error is shown, unless it may belong
 * to a Gmail mailbox that is connected: the account is unknown then, and Google's revocation would
 * end that mailbox's access too (it covers every token of the user and client), so the fresh
 * tokens are only dropped. (A provider whose revocation ends one grant is always told.)
 */
async function readIdentity(deps: BackgroundDeps, provider: OAuthMailProvider, accessToken: string): Promise<MailboxIdentity> {
  const revokeFresh = async () => {
    await revokeToken(deps, provider, accessToken);
  };
  const client = createMailProvider(deps, { id: 'connecting', provider, tokens: staticToken(accessToken) }, revokeFresh);
  try {
    return await client.identity();
  } catch (error) {
    const mayBeConnected = revocationEndsAuthorization(deps, provider) && (await listMailboxes(deps.db)).some((mailbox) => mailbox.provider === provider);
    if (!mayBeConnected) await bestEffort('revoke the sign-in whose mailbox could not be read', client.revoke());
    throw error;
  }
}

/**
 * Chrome's own sign-in gives the token of the account signed in to Chrome, whichever mailbox
 * asks: with it, only one Gmail mailbox can be connected.
 */
async function refuseSecondChromeAccount(deps: BackgroundDeps, id: string): Promise<void> {
  const other = await otherMailboxOf(deps.db, 'gmail', id);
  if (other) {
    throw providerError('insufficient_permissions', 'gmail', {
      detail: `Chrome is signed in to Google as another account than ${other.address}. Disconnect ${other.address} first, or sign Chrome in to that account.`,
      final: true,
    });
  }
}

/** The identity to show for confirmation (R7); an alias or reply-to that is not a valid address is left out. */
function senderIdentity({ displayName, replyTo, aliases }: MailboxIdentity): SenderIdentity {
  const valid = (address: string) => senderIdentitySchema.shape.aliases.element.safeParse(address).success;
  return { displayName, replyTo: replyTo && valid(replyTo) ? replyTo : null, aliases: aliases.filter(valid) };
}

/** The stored mailbox, or a plain error saying it is no longer connected. */
export async function requireMailbox(deps: BackgroundDeps, id: string): Promise<Mailbox> {
  const mailbox = await getMailbox(deps.db, id);
  if (!mailbox) throw MessagingError.of('handler_failed', 'That mailbox is no longer connected. Reopen the popup to see the current list.');
  if (mailbox.disconnectingSince !== null) throw MessagingError.of('handler_failed', 'That mailbox is being disconnected. Reopen the popup to see the current list.');
  return mailbox;
}

function oauthProvider(mailbox: Mailbox): OAuthMailProvider {
  if (mailbox.provider === 'imap') throw MessagingError.of('handler_failed', 'IMAP mailboxes sign in through the bridge, not OAuth.');
  return mailbox.provider;
}
