import { atomically, listMailboxes, messagesOf, pendingOutboxEntries, putVerdicts, type Verdict, verdictsWithKeys, withdrawOutboxSources } from '../db';
import { policySets } from '../matching/skip-rules';
import { decide, loadDecideContext } from './decide';
import type { EngineDeps } from './engine-deps';

/**
 * The privacy rules changed (R21): what is stored but not yet sent obeys them now. Every copy of a
 * message whose CRM write is still pending is decided again under the current rules; a copy they
 * now exclude (a blocked address or domain, a workspace domain making it internal, an excluded
 * category) gets its verdict with the skip reason in R21a's order, and leaves the write's sources
 * (`withdrawOutboxSources`): a write with no source left is cancelled, never pushed. What the CRM
 * already has stays, and so does the verdict of a write already made.
 *
 * Rules that allow more are not applied backwards: mail skipped before is pushed only when it is
 * decided again (new mail of its thread, a link, a retro-match), so loosening a rule never pushes
 * a backlog unasked. A batch already fixed for sending is the one exception to "never pushed": the
 * CRM may have applied it already, so it is replayed as it was (see `runOutbox`); should the CRM
 * refuse that replay, the next batch is built without the withdrawn writes.
 *
 * All in one transaction. Returns how many writes were cancelled.
 */
export async function applyPrivacyRules(deps: EngineDeps): Promise<number> {
  const { db } = deps;
  const policy = policySets(await deps.privacyRules());
  const now = deps.now();
  return atomically(db, ['mailboxes', 'messages', 'verdicts', 'outbox', 'contacts', 'threadLinks'], async () => {
    const pending = await pendingOutboxEntries(db);
    const pushed = (await verdictsWithKeys(db, pending.map((e) => e.idempotencyKey))).filter((v) => v.reason === null);
    const byMailbox = new Map<string, Verdict[]>();
    for (const verdict of pushed) byMailbox.set(verdict.mailboxId, [...(byMailbox.get(verdict.mailboxId) ?? []), verdict]);
    let cancelled = 0;
    for (const mailbox of await listMailboxes(db)) {
      const verdicts = byMailbox.get(mailbox.id);
      if (!verdicts) continue;
      const runOf = new Map(verdicts.map((v) => [v.providerId, v.runId]));
      const messages = await messagesOf(db, mailbox.id, [...runOf.keys()]);
      const context = await loadDecideContext(db, mailbox, policy, messages);
      // Each copy keeps the run that read it: the run's sample and undo still find it.
      const skipped = messages.map((m) => decide(m, context, runOf.get(m.providerId)!, now, { contentRead: false }).verdict).filter((v) => v.reason !== null);
      await putVerdicts(db, skipped);
      cancelled += await withdrawOutboxSources(db, mailbox.id, skipped.map((v) => v.key));
    }
    return cancelled;
  });
}
