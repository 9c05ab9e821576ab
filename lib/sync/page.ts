import { atomically, type CheckpointJob, commitPage, getMailbox, type PageCommitResult, verdictsOf } from '../db';
import { policySets } from '../matching/skip-rules';
import type { Mailbox, Message } from '../domain';
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
  if (!mailbox) throw new JobStopped('mailbox_gone');
  return mailbox;
}

/**
 * Decides every message of a page and commits the lot with the job's cursor, in one transaction
 * (R13): messages as metadata, verdicts, CRM writes, withdrawals, run counts and checkpoint.
 * Messages of the page outside the mailbox's chosen labels or folders never reach it: the
 * providers list only those.
 */
export async function decideAndCommit(ctx: JobContext, mailbox: Mailbox, page: ReadPage): Promise<PageCommitResult> {
  const { db } = ctx.deps;
  const now = ctx.deps.now();
  const policy = policySets(await ctx.deps.privacyRules());
  const removedIds = page.removed ?? [];
  const result = await atomically(db, ['mailboxes', 'messages', 'verdicts', 'outbox', 'syncRuns', 'checkpoints', 'contacts', 'threadLinks'], async () => {
    const context = await loadDecideContext(db, mailbox, policy, page.messages);
    const decisions = page.messages.map((message) => decide(message, context, page.runId, now));
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
    return result;
  });
  if (result.committed && result.outcomes.some((o) => o === 'queued' || o === 'merged')) ctx.committed();
  return result;
}
