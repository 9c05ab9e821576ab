import Dexie from 'dexie';
import { type SyncRun, type SyncRunCounts, syncRunSchema } from '../../domain';
import type { MailboxCrmDatabase } from '../database';

/** A run by id, validated. */
export async function getRun(db: MailboxCrmDatabase, id: string): Promise<SyncRun | undefined> {
  const row = await db.syncRuns.get(id);
  return row && syncRunSchema.parse(row);
}

/** The sync history of one mailbox, newest first (R17). */
export async function runsOf(db: MailboxCrmDatabase, mailboxId: string): Promise<SyncRun[]> {
  const rows = await db.syncRuns.where('[mailboxId+startedAt]').between([mailboxId, Dexie.minKey], [mailboxId, Dexie.maxKey]).reverse().toArray();
  return rows.map((row) => syncRunSchema.parse(row));
}

/** Records a new run; a run id is used once, so an existing one is an error. */
export async function addRun(db: MailboxCrmDatabase, run: SyncRun): Promise<void> {
  await db.syncRuns.add(syncRunSchema.parse(run));
}

/** Counts of nothing: what a run starts with. */
export function emptyCounts(): SyncRunCounts {
  return { fetched: 0, matched: 0, pushed: 0, duplicates: 0, errors: 0, skipped: {}, contacts: {} };
}

/** `a + b`, count by count, skip reason by skip reason and contact by contact. */
export function sumCounts(a: SyncRunCounts, b: SyncRunCounts): SyncRunCounts {
  const skipped = { ...a.skipped };
  for (const [reason, count] of Object.entries(b.skipped) as [keyof SyncRunCounts['skipped'], number][]) skipped[reason] = (skipped[reason] ?? 0) + count;
  const contacts = { ...a.contacts };
  for (const [id, count] of Object.entries(b.contacts)) contacts[id] = (contacts[id] ?? 0) + count;
  return {
    contacts,
    fetched: a.fetched + b.fetched,
    matched: a.matched + b.matched,
    pushed: a.pushed + b.pushed,
    duplicates: a.duplicates + b.duplicates,
    errors: a.errors + b.errors,
    skipped,
  };
}

/**
 * Adds a page's counts to its run, reading and writing in one transaction. A run that is not
 * stored is an error: every page belongs to a recorded run (R17).
 */
export async function addRunCounts(db: MailboxCrmDatabase, id: string, counts: SyncRunCounts): Promise<SyncRun> {
  return db.transaction('rw', db.syncRuns, async () => {
    const run = await getRun(db, id);
    if (!run) throw new Error(`Sync run ${id} is not recorded; a page cannot count towards it.`);
    const next = syncRunSchema.parse({ ...run, counts: sumCounts(run.counts, counts) });
    await db.syncRuns.put(next);
    return next;
  });
}

/** Ends a run with its outcome. A run that is not stored is an error. */
export async function finishRun(
  db: MailboxCrmDatabase,
  id: string,
  outcome: { status: Exclude<SyncRun['status'], 'running'>; finishedAt: number; error: SyncRun['error'] },
): Promise<SyncRun> {
  return db.transaction('rw', db.syncRuns, async () => {
    const run = await getRun(db, id);
    if (!run) throw new Error(`Sync run ${id} is not recorded, so it cannot be finished.`);
    const next = syncRunSchema.parse({ ...run, ...outcome });
    await db.syncRuns.put(next);
    return next;
  });
}

/** Marks a run undone (R18). */
export async function markRunUndone(db: MailboxCrmDatabase, id: string, at: number): Promise<void> {
  await db.syncRuns.update(id, { undoneAt: at });
}
