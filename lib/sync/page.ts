import { atomically, type CheckpointJob, commitPage, getMailbox, type MailboxCrmDatabase, type PageCommitResult, updateMailbox, verdictsOf } from '../db';
import { policySets } from '../matching/skip-rules';
import { isTestEmailCopy, type Mailbox, type Message, VISIBILITY_RANK } from '../domain';
import { countDecisions, decide, loadDecideContext } from './decide';
import type { JobContext } from './job-context';
import { JobStopped } from './job-context';

/** One page read from a provider, to decide and commit with the job's new position. */
export interface ReadPage {
  job: CheckpointJob;
  fromSeq: number;
  cursor: string | null;
  progress: Record<string, number>;
  messages: readonly Message[];
  /** Provider ids that left what may be pushed (incremental sync only). */
  removed?: readonly string[];
  runId: string;
}

/** The mailbox the job works for; `JobStopped` when it was disconnected meanwhile. */
export async function requireMailbox(ctx: JobContext): Promise<Mailbox> {
  const mailbox = await getMailbox(ctx.deps.db, ctx.job.lane);
  // A mailbox being disconnected is gone for its jobs: its grant may be revoked already (R34).
  if (!mailbox || mailbox.disconnectingSince !== null) throw new JobStopped('mailbox_gone');
  return mailbox;
}

/**
 * Decides every message of a page and commits the lot with the job's cursor, in one transaction
 * (R13): messages as metadata, verdicts, CRM writes, withdrawals, run counts and checkpoint.
 * Messages of the page outside the mailbox's chosen labels or folders never reach it: the
 * providers list only those. The page is decided with the mailbox as it is at the commit, not as
 * the job read it: a visibility lowered while the page was read builds the CRM items at the new
 * level (R22), and one raised meanwhile has their content read again at drain time. The sent copy
 * of a test email coming back ticks "test receive" in the same transaction (R31, R32).
 */
export async function decideAndCommit(ctx: JobContext, mailbox: Mailbox, page: ReadPage): Promise<PageCommitResult> {
  const { db } = ctx.deps;
  const now = ctx.deps.now();
  const policy = policySets(await ctx.deps.privacyRules());
  const removedIds = page.removed ?? [];
  const result = await atomically(db, ['mailboxes', 'messages', 'verdicts', 'outbox', 'syncRuns', 'checkpoints', 'contacts', 'threadLinks'], async () => {
    const current = (await getMailbox(db, mailbox.id)) ?? mailbox;
    const contentRead = VISIBILITY_RANK[current.visibility] <= VISIBILITY_RANK[mailbox.visibility];
    const context = await loadDecideContext(db, current, policy, page.messages);
    const decisions = page.messages.map((message) => decide(message, context, page.runId, now, { contentRead }));
    const removedVerdicts = await verdictsOf(db, mailbox.id, removedIds);
    const keyOf = new Map(removedVerdicts.map((v) => [v.providerId, v.key]));
    const result = await commitPage(
      db,
      {
        mailboxId: mailbox.id,
        job: page.job,
        fromSeq: page.fromSeq,
        cursor: page.cursor,
        progress: page.progress,
        messages: page.messages,
        verdicts: decisions.map((d) => d.verdict),
        outbox: decisions.flatMap((d) => (d.offer ? [d.offer] : [])),
        removed: removedIds.map((providerId) => ({ providerId, key: keyOf.get(providerId) ?? null })),
        runId: page.runId,
        counts: countDecisions(decisions, page.messages.length),
      },
      now,
    );
    if (!result.committed && result.reason === 'mailbox_gone') throw new JobStopped('mailbox_gone');
    if (result.committed) await markTestEmailReceived(db, mailbox.id, page.messages, now);
    return result;
  });
  if (result.committed && result.outcomes.some((o) => o === 'queued' || o === 'merged')) ctx.committed();
  return result;
}

/** Ticks "test receive" when the page holds the sent copy of the mailbox's test email still awaited (R31). */
async function markTestEmailReceived(db: MailboxCrmDatabase, mailboxId: string, messages: readonly Message[], now: number): Promise<void> {
  await updateMailbox(db, mailboxId, (m) => {
    const test = m.testEmail;
    if (!test || test.receivedAt !== null || !messages.some((message) => isTestEmailCopy(test, message))) return m;
    return { ...m, testEmail: { ...test, receivedAt: now }, checklist: { ...m.checklist, test_receive: now } };
  });
}
