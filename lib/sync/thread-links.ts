import { atomically, contactsByIds, getMailbox, messagesOfThread, putThreadLink } from '../db';
import { policySets } from '../matching/skip-rules';
import { providerError, type SyncRun } from '../domain';
import type { EngineDeps } from './engine-deps';
import { reDecide } from './re-decide';

/** The user's decision about one thread (R27): contacts linked by hand, or "don't sync", or neither. */
export interface ThreadDecision {
  mailboxId: string;
  threadKey: string;
  contactIds: readonly string[];
  dontSync: boolean;
}

/**
 * Records the user's decision about a thread and applies it to what is stored of it (R27): manual
 * links override matching from now on, "don't sync" withdraws writes not yet made; the thread's
 * messages now pushed are queued at once; a link to contacts also queues ones an undo removed,
 * since the user asked for this thread. What the CRM already has stays (unlinking one email is the review's "wrong
 * contact", R24). Only contacts the mirror holds can be linked: the CRM would refuse others.
 * Clearing a decision or "don't sync" asks for nothing to be pushed, so what an undo removed
 * stays removed (R18).
 *
 * The review's "wrong contact" corrects a run rather than asking for mail: `correction` keeps
 * what an undo removed removed even with a link, keeps each message in the run that read it (see
 * `reDecide`'s `keepRuns`), and runs `alongside` first in the same transaction (database calls
 * only), so its own writes land with the decision.
 */
export async function decideThread(deps: EngineDeps, decision: ThreadDecision, correction?: { alongside: () => Promise<void> }): Promise<SyncRun | null> {
  const { db } = deps;
  const mailbox = await getMailbox(db, decision.mailboxId);
  if (!mailbox) throw providerError('not_found', 'crm', { detail: 'That mailbox is no longer connected.', final: true });
  const ids = [...new Set(decision.contactIds)].sort();
  const known = (await contactsByIds(db, ids)).map((c) => c.id);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) throw providerError('not_found', 'crm', { detail: 'That contact is not in the CRM any more; refresh and pick another.', final: true });
  const policy = policySets(await deps.privacyRules());
  const now = deps.now();
  return atomically(db, ['threadLinks', 'messages', 'verdicts', 'outbox', 'syncRuns', 'contacts', 'mailboxes'], async () => {
    await correction?.alongside();
    await putThreadLink(db, { mailboxId: mailbox.id, threadKey: decision.threadKey, contactIds: ids, dontSync: decision.dontSync, updatedAt: now });
    return reDecide(db, { mailbox, messages: await messagesOfThread(db, mailbox.id, decision.threadKey), policy, now, revive: !correction && ids.length > 0, keepRuns: correction !== undefined });
  });
}
