import { listMailboxes, type MailboxCrmDatabase, runsOf } from '../db';
import type { DisconnectRecord, Mailbox, ReviewPrompt } from '../domain';
import { normaliseAddress } from '../matching/address';

/** No successful sync for this long while connected raises "customer emails stopped syncing" (R33). */
export const STALE_SYNC_MS = 24 * 60 * 60_000;
/** A run with more duplicates than this share of what it fetched raises a prompt (R33). */
export const DUPLICATE_RATE = 0.02;

/** What the prompts remember: dismissed prompt ids, and each mailbox's owner as last reviewed. */
export interface PromptMemory {
  dismissed: Record<string, number>;
  owners: Record<string, string | null>;
}

/** An owner written as an address (`dana@acme.test`) names an account; a name does not. */
function ownerAccount(owner: string | null): string | null {
  return owner && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(owner.trim()) ? normaliseAddress(owner) : null;
}

/** A test sent from a mailbox after `at` that came back through sync, or null. */
function answeredAfter(mailbox: Mailbox, at: number): number | null {
  const test = mailbox.testEmail;
  return test && test.receivedAt !== null && test.sentAt >= at ? test.receivedAt : null;
}

/**
 * Whether `mailbox` owes a test for `d` (R35): it was connected when `d` happened, or it is a
 * replacement connected afterwards, before any mailbox's test after `d` came back through sync.
 * The disconnected mailbox connected again is no replacement.
 */
function owes(mailbox: Mailbox, d: DisconnectRecord, all: readonly Mailbox[]): boolean {
  if (d.mailboxId === mailbox.id) return false;
  if (mailbox.createdAt <= d.at) return true;
  return !all.some((other) => other.id !== mailbox.id && (answeredAfter(other, d.at) ?? Infinity) <= mailbox.createdAt);
}

/**
 * R35: after a mailbox was disconnected, each mailbox connected then, and the replacement(s)
 * connected afterwards, sends a test email that comes back through sync before the team relies on
 * it. Only the latest disconnect it owes counts (a test after it answers the earlier ones too).
 */
function replacementTest(mailbox: Mailbox, disconnects: readonly DisconnectRecord[], all: readonly Mailbox[]): ReviewPrompt | null {
  const latest = disconnects.filter((d) => owes(mailbox, d, all)).reduce<DisconnectRecord | null>((a, d) => (a === null || d.at >= a.at ? d : a), null);
  if (!latest) return null;
  if (answeredAfter(mailbox, latest.at) !== null) return null;
  return {
    id: `replacement_test:${mailbox.id}:${latest.mailboxId}:${latest.at}`,
    mailboxId: mailbox.id,
    runId: null,
    kind: 'replacement_test',
    message: `${latest.address} was disconnected. Send a test email from ${mailbox.address} and check it comes back through sync, so customer mail keeps reaching the CRM.`,
    action: 'send_test',
  };
}

async function promptsOf(db: MailboxCrmDatabase, mailbox: Mailbox, memory: PromptMemory, now: number, disconnects: readonly DisconnectRecord[], all: readonly Mailbox[]): Promise<ReviewPrompt[]> {
  const prompts: ReviewPrompt[] = [];
  const base = { mailboxId: mailbox.id, runId: null };
  const replacement = replacementTest(mailbox, disconnects, all);
  if (replacement) prompts.push(replacement);
  const error = mailbox.lastError;
  if (mailbox.status === 'reconnect_needed' || (error && (error.code === 'reauth_required' || error.code === 'insufficient_permissions'))) {
    const reconnect = mailbox.status === 'reconnect_needed' || error?.code === 'reauth_required';
    prompts.push({
      ...base,
      id: `provider_access:${mailbox.id}:${error?.at ?? 0}`,
      kind: 'provider_access',
      message: `Provider permissions or the password of ${mailbox.address} changed: ${error?.message ?? 'sign in again.'}`,
      action: reconnect ? 'reconnect' : 'grant_permission',
    });
  }
  const lastSync = mailbox.lastSyncedAt ?? mailbox.createdAt;
  if (now - lastSync > STALE_SYNC_MS) {
    prompts.push({ ...base, id: `stale_sync:${mailbox.id}:${lastSync}`, kind: 'stale_sync', message: `Customer emails stopped syncing: ${mailbox.address} has not synced for over 24 hours.`, action: 'sync_now' });
  }
  // The newest run above the rate, not merely the newest run: a later clean sync must not hide a
  // prompt nobody has seen yet.
  const latest = (await runsOf(db, mailbox.id)).find((run) => run.kind !== 'preview' && run.status !== 'running' && run.counts.fetched > 0 && run.counts.duplicates / run.counts.fetched > DUPLICATE_RATE);
  if (latest) {
    const rate = Math.round((latest.counts.duplicates / latest.counts.fetched) * 1000) / 10;
    prompts.push({ ...base, runId: latest.id, id: `duplicates:${latest.id}`, kind: 'duplicates', message: `${rate} % of the messages of the last ${latest.kind} of ${mailbox.address} were duplicates of mail already in the CRM. Check that the same mailbox is not connected twice.`, action: 'review_run' });
  }
  const account = ownerAccount(mailbox.owner);
  // An alias sends as the same account (Gmail send-as, Exchange proxy addresses): not another owner.
  const signedIn = [mailbox.address, ...(mailbox.identity?.aliases ?? [])].map(normaliseAddress);
  if (account && !signedIn.includes(account)) {
    prompts.push({ ...base, id: `owner_account:${mailbox.id}:${account}`, kind: 'owner_account', message: `${mailbox.address} is signed in as itself, but its owner is ${mailbox.owner}. If a teammate left or changed role, update the owner and recovery note.`, action: 'review_owner' });
  }
  if (mailbox.id in memory.owners && memory.owners[mailbox.id] !== mailbox.owner) {
    prompts.push({ ...base, id: `owner_changed:${mailbox.id}:${mailbox.owner ?? ''}`, kind: 'owner_changed', message: `The owner of ${mailbox.address} changed to ${mailbox.owner ?? 'nobody'}: review its purpose and recovery access.`, action: 'review_owner' });
  }
  return prompts;
}

/**
 * The review prompts in force (R33, R35), less those dismissed: a prompt's id names the occurrence
 * (the error's time, the last sync, the run, the owner, the disconnect), so the same situation
 * dismissed stays quiet and a new one prompts again. `disconnects`: every mailbox disconnected
 * (see `recordDisconnect`). Returns the memory to keep: owners of newly seen mailboxes.
 */
export async function reviewPrompts(db: MailboxCrmDatabase, memory: PromptMemory, now: number, disconnects: readonly DisconnectRecord[] = []): Promise<{ prompts: ReviewPrompt[]; memory: PromptMemory }> {
  const mailboxes = await listMailboxes(db);
  const prompts = (await Promise.all(mailboxes.map((m) => promptsOf(db, m, memory, now, disconnects, mailboxes)))).flat().filter((p) => !(p.id in memory.dismissed));
  const owners = { ...memory.owners };
  for (const mailbox of mailboxes) if (!(mailbox.id in owners)) owners[mailbox.id] = mailbox.owner;
  return { prompts, memory: { ...memory, owners } };
}

/** Dismisses a prompt; an owner change dismissed counts as reviewed, so the owner is remembered. */
export function dismissPrompt(memory: PromptMemory, prompt: Pick<ReviewPrompt, 'id' | 'kind' | 'mailboxId'>, owner: string | null, now: number): PromptMemory {
  return {
    dismissed: { ...memory.dismissed, [prompt.id]: now },
    owners: prompt.kind === 'owner_changed' ? { ...memory.owners, [prompt.mailboxId]: owner } : memory.owners,
  };
}
