import type { MailboxCrmDatabase } from '../database';
import { type Verdict, verdictSchema } from '../rows';

/** The verdicts on a thread's messages in one mailbox (the sidebar's thread state, R28). */
export async function verdictsOfThread(db: MailboxCrmDatabase, mailboxId: string, threadKey: string): Promise<Verdict[]> {
  const rows = await db.verdicts.where('[mailboxId+threadKey]').equals([mailboxId, threadKey]).toArray();
  return rows.map((row) => verdictSchema.parse(row));
}

/** The verdicts of one run (review R24, preview R11, undo R18). */
export async function verdictsOfRun(db: MailboxCrmDatabase, runId: string): Promise<Verdict[]> {
  const rows = await db.verdicts.where('runId').equals(runId).toArray();
  return rows.map((row) => verdictSchema.parse(row));
}

/** Verdicts by mailbox and provider id; an id without one is left out. */
export async function verdictsOf(db: MailboxCrmDatabase, mailboxId: string, providerIds: readonly string[]): Promise<Verdict[]> {
  const rows = await db.verdicts.bulkGet(providerIds.map((id) => [mailboxId, id] as [string, string]));
  return rows.filter((row) => row !== undefined).map((row) => verdictSchema.parse(row));
}

/** The verdicts on every stored copy of the messages with these CRM keys, in any mailbox. */
export async function verdictsWithKeys(db: MailboxCrmDatabase, keys: readonly string[]): Promise<Verdict[]> {
  if (keys.length === 0) return [];
  const rows = await db.verdicts.where('key').anyOf([...keys]).toArray();
  return rows.map((row) => verdictSchema.parse(row));
}

/** Stores verdicts, validated; a message decided again replaces its earlier verdict. */
export async function putVerdicts(db: MailboxCrmDatabase, verdicts: readonly Verdict[]): Promise<void> {
  await db.verdicts.bulkPut(verdicts.map((verdict) => verdictSchema.parse(verdict)));
}

/** Forgets messages that left what may be pushed (R21): their rows and verdicts. */
export async function forgetMessages(db: MailboxCrmDatabase, mailboxId: string, providerIds: readonly string[]): Promise<void> {
  const keys = providerIds.map((id) => [mailboxId, id] as [string, string]);
  await db.transaction('rw', db.messages, db.verdicts, async () => {
    await db.messages.bulkDelete(keys);
    await db.verdicts.bulkDelete(keys);
  });
}
