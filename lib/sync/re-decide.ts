import { addRun, emptyCounts, type MailboxCrmDatabase, offerOutboxEntries, outboxEntries, putOutboxEntries, putVerdicts, verdictsOf, withdrawOutboxSources } from '../db';
import type { Mailbox, Message, SyncRun } from '../domain';
import type { PolicySets } from '../matching/skip-rules';
import { countDecisions, decide, loadDecideContext } from './decide';

/**
 * Decides stored messages again, inside the caller's transaction, after what decides them changed
 * without the mail changing: the mirror gained a contact or an address (retro-match, R21a), or the
 * user linked, unlinked or marked the thread (R27). Messages now pushed are queued, their content
 * read again at drain time when the visibility needs more than the stored metadata; messages now
 * skipped lose their writes not yet made (what the CRM has stays). `revive`: the user asked for
 * these messages explicitly, so writes an undo removed are queued again (R18). The writes count in
 * a run of their own, recorded as a finished sync. Returns that run, or null when nothing changed.
 * `keepRuns`: each message stays in the run that read it (its review sample and undo), and no run
 * is recorded (a correction of that run, such as the review's "wrong contact").
 */
export async function reDecide(
  db: MailboxCrmDatabase,
  input: { mailbox: Mailbox; messages: readonly Message[]; policy: PolicySets; now: number; revive: boolean; keepRuns?: boolean },
): Promise<SyncRun | null> {
  const { mailbox, messages, policy, now } = input;
  if (messages.length === 0) return null;
  const run: SyncRun = { id: crypto.randomUUID(), mailboxId: mailbox.id, kind: 'sync', status: 'succeeded', startedAt: now, finishedAt: now, counts: emptyCounts(), error: null, undoneAt: null };
  const context = await loadDecideContext(db, mailbox, policy, messages);
  const runOf = new Map(input.keepRuns ? (await verdictsOf(db, mailbox.id, messages.map((m) => m.providerId))).map((v) => [v.providerId, v.runId]) : []);
  const decisions = messages.map((m) => decide(m, context, runOf.get(m.providerId) ?? run.id, now, { contentRead: false }));
  await putVerdicts(db, decisions.map((d) => d.verdict));
  const skippedKeys = decisions.filter((d) => d.verdict.reason !== null).map((d) => d.verdict.key);
  await withdrawOutboxSources(db, mailbox.id, skippedKeys);
  const offers = decisions.flatMap((d) => (d.offer ? [d.offer] : []));
  if (offers.length === 0) return null;
  if (input.revive) {
    const undone = (await outboxEntries(db, offers.map((o) => o.idempotencyKey))).filter((e) => e.status === 'undone');
    await putOutboxEntries(db, undone.map((e) => ({ ...e, status: 'cancelled' as const })));
  }
  const outcomes = await offerOutboxEntries(db, offers, now);
  if (input.keepRuns) return null;
  const counted: SyncRun = { ...run, counts: { ...countDecisions(decisions, 0), duplicates: outcomes.filter((o) => o === 'duplicate').length } };
  await addRun(db, counted);
  return counted;
}
