import type { Transaction } from 'dexie';
import { z } from 'zod';
import { contactWords } from './tables/contacts';

/** The only time format version 1 wrote (`z.iso.datetime()`); other strings are not trusted to parse alike everywhere. */
const isoTime = z.iso.datetime({ offset: true });

/**
 * A stored time as milliseconds since the epoch: an integer stays, an ISO string is converted, and
 * anything else becomes `fallback`.
 */
function toEpochMs(value: unknown, fallback: number): number {
  if (Number.isSafeInteger(value)) return value as number;
  if (isoTime.safeParse(value).success) return Date.parse(value as string);
  return fallback;
}

type Row = Record<string, unknown>;

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Version 2: every stored time is milliseconds since the epoch, and a checkpoint carries `seq`.
 * Version 1 kept three times as ISO strings: a mailbox's `createdAt`, its checklist ticks, and
 * the `at` of a stored error (`mailbox.lastError`, `syncRun.error`). A checkpoint of version 1
 * was committed at least once, so it starts at `seq` 1.
 *
 * A time that does not parse (no release wrote one, but stored rows are a boundary) becomes the
 * time of this upgrade, "no later than now", with two refinements: a ticked checklist item
 * stays ticked (the user did it; un-ticking "matching verified" would hold back their backfill
 * again), and a run's error takes the run's end, or its start, since it happened during the run.
 */
export async function upgradeToV2(tx: Transaction, now: number = Date.now()): Promise<void> {
  await tx
    .table('mailboxes')
    .toCollection()
    .modify((mailbox: Row) => {
      mailbox.createdAt = toEpochMs(mailbox.createdAt, now);
      if (isRow(mailbox.checklist)) {
        const checklist = mailbox.checklist;
        for (const item of Object.keys(checklist)) checklist[item] = toEpochMs(checklist[item], now);
      }
      if (isRow(mailbox.lastError)) mailbox.lastError.at = toEpochMs(mailbox.lastError.at, now);
    });
  await tx
    .table('syncRuns')
    .toCollection()
    .modify((run: Row) => {
      if (isRow(run.error)) run.error.at = toEpochMs(run.error.at, toEpochMs(run.finishedAt ?? run.startedAt, now));
    });
  await tx
    .table('checkpoints')
    .toCollection()
    .modify((checkpoint: Row) => {
      checkpoint.seq = 1;
    });
}

/**
 * Version 3, the sync engine:
 * - an outbox entry lists its source mailboxes (`mailboxIds`) and carries its payload until sent;
 *   an entry of version 2 had none, so a pending one reads its content again (`payload` null) at
 *   its mailbox's visibility, recorded as metadata until then,
 *   and a sent one records what was pushed as unknown (`pushed` null);
 * - messages keep metadata only (R23): a snippet or body stored before is dropped;
 * - a run counts per contact (empty before) and may be undone (`undoneAt`).
 */
export async function upgradeToV3(tx: Transaction): Promise<void> {
  await tx
    .table('outbox')
    .toCollection()
    .modify((entry: Row) => {
      entry.mailboxIds = [entry.mailboxId];
      entry.payload = null;
      entry.visibility = 'metadata';
      entry.batchId = null;
      entry.sending = null;
      entry.pushed = null;
      entry.lastError = null;
    });
  await tx
    .table('messages')
    .toCollection()
    .modify((message: Row) => {
      message.snippet = null;
      message.body = null;
    });
  await tx
    .table('syncRuns')
    .toCollection()
    .modify((run: Row) => {
      if (isRow(run.counts)) run.counts.contacts ??= {};
      run.undoneAt ??= null;
    });
  await tx
    .table('mailboxes')
    .toCollection()
    .modify((mailbox: Row) => {
      mailbox.syncOnly ??= null;
      mailbox.lastSyncedAt ??= null;
    });
}

/** Version 4, "Link to contact": every mirrored contact gains the words of its name and company (`contactWords`). */
export async function upgradeToV4(tx: Transaction): Promise<void> {
  await tx
    .table('contacts')
    .toCollection()
    .modify((contact: Row) => {
      contact.words = contactWords({ name: typeof contact.name === 'string' ? contact.name : '', company: typeof contact.company === 'string' ? contact.company : null });
    });
}
