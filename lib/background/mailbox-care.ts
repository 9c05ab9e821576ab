import { atomically, findMessages, getMailbox, getMessage, getRun, putMailbox, rebuildOutboxForVisibility, updateMailbox } from '../db';
import {
  confirmRefusal,
  type ConfirmableItem,
  isTestEmailCopy,
  type Mailbox,
  type MailboxDetails,
  mailboxSchema,
  sharedMailboxIssues,
  type TestEmail,
  testEmailBody,
  testEmailSubject,
  testEmailUnreachable,
  withDetails,
} from '../domain';
import { MessagingError } from '../messaging';
import { ensureIncrementalCursor } from '../sync';
import { keepCrmRecordInStep } from './crm-mailbox';
import type { BackgroundDeps } from './deps';
import { engineDeps, engineOf } from './engine';
import { mailboxProvider, requireMailbox } from './mailboxes';

const GONE = 'That mailbox is no longer connected. Reopen the popup to see the current list.';

/** The stored mailbox after `change`, or the plain "no longer connected" error when it went meanwhile. */
function stored(mailbox: Mailbox | undefined): Mailbox {
  if (!mailbox) throw MessagingError.of('handler_failed', GONE);
  return mailbox;
}

/**
 * Edits a mailbox's details (R5, R6, R22) and the checklist items they re-open (see `withDetails`).
 * A shared mailbox without an owner or a recovery note is refused (`invalid_payload`) with the
 * words of `sharedMailboxIssues`, the owner's first. A changed visibility applies to the writes not
 * yet made, in the same transaction as the edit (see `rebuildOutboxForVisibility`). Then the CRM's
 * record of the mailbox follows; its failure leaves the edit in place (see `keepCrmRecordInStep`).
 */
export async function updateMailboxDetails(deps: BackgroundDeps, id: string, details: MailboxDetails): Promise<Mailbox> {
  const { db } = deps;
  const saved = await atomically(db, ['mailboxes', 'outbox'], async () => {
    const current = stored(await getMailbox(db, id));
    const next = withDetails(current, details);
    const issues = sharedMailboxIssues(next);
    if (issues.length > 0) throw MessagingError.invalid(issues[0]!.message, Object.fromEntries(issues.map((i) => [i.field, i.message])));
    const valid = mailboxSchema.safeParse(next);
    if (!valid.success) throw MessagingError.of('invalid_payload', valid.error.issues[0]?.message ?? 'These mailbox details are not valid.');
    if (valid.data.visibility !== current.visibility) await rebuildOutboxForVisibility(db, id, valid.data.visibility);
    return putMailbox(db, valid.data);
  });
  return (await keepCrmRecordInStep(deps, saved)) ?? saved;
}

/** Ticks a checklist item the user confirms by hand (R7, R32), or says in plain words why it cannot be yet. */
export async function confirmChecklistItem(deps: BackgroundDeps, id: string, item: ConfirmableItem): Promise<Mailbox> {
  return stored(
    await updateMailbox(deps.db, id, (m) => {
      const refusal = confirmRefusal(m, item);
      if (refusal) throw MessagingError.of('handler_failed', refusal);
      return { ...m, checklist: { ...m.checklist, [item]: Date.now() } };
    }),
  );
}

/**
 * "Send test email" (R31): sends a short plain test from the mailbox to `to`, under a subject of
 * its own, through the mailbox's provider. Refused while the mailbox waits for the user (reconnect,
 * grant access, an error): the answer carries that error's fix. The incremental cursor is taken
 * before sending when the mailbox has none, so the sent copy comes after it; once the provider
 * accepted the email, "test send" is ticked, and "test receive" too when sync stored the sent copy
 * meanwhile; else an incremental sync is asked for so the copy comes back soon and ticks it (see
 * `decideAndCommit`). Refused before sending when the copy could never come back: the mailbox
 * syncs only chosen labels or folders without Sent (`testEmailUnreachable`).
 */
export async function sendTestEmail(deps: BackgroundDeps, mailboxId: string, to: string): Promise<Mailbox> {
  const mailbox = await requireMailbox(deps, mailboxId);
  if (mailbox.status === 'error' || mailbox.status === 'reconnect_needed') {
    const error = mailbox.lastError;
    throw new MessagingError({
      code: error?.code ?? 'reauth_required',
      message: `No test email was sent: ${mailbox.address} needs attention first. ${error?.message ?? 'Reconnect it.'}`,
      action: error?.action ?? 'reconnect',
      retryable: false,
    });
  }
  const unreachable = testEmailUnreachable(mailbox, to);
  if (unreachable) throw MessagingError.of('handler_failed', unreachable);
  const provider = mailboxProvider(deps, mailbox);
  await ensureIncrementalCursor(engineDeps(deps), mailbox);
  const subject = testEmailSubject();
  const { providerId } = await provider.sendTestEmail({ to, subject, body: testEmailBody(mailbox.address) });
  const now = Date.now();
  const test: TestEmail = { to, subject, sentAt: now, providerId, receivedAt: null };
  // A sync page may have stored the sent copy while the provider answered: it could not know the
  // test then, so the copy is looked for here, with the test saved in the same transaction (a page
  // committed after it ticks "test receive" itself, see `decideAndCommit`).
  const sent = await atomically(deps.db, ['mailboxes', 'messages'], async () => {
    const back = await storedTestEmailCopy(deps.db, mailbox.id, test);
    return stored(
      await updateMailbox(deps.db, mailbox.id, (m) => ({
        ...m,
        testEmail: { ...test, receivedAt: back ? now : null },
        checklist: { ...m.checklist, test_send: now, ...(back ? { test_receive: now } : {}) },
      })),
    );
  });
  if (sent.testEmail?.receivedAt === null) await engineOf(deps).requestSync(mailbox.id);
  return sent;
}

/** Whether the mailbox already holds the sent copy of `test`: by provider id when the provider answered one, else among all its mail. */
async function storedTestEmailCopy(db: BackgroundDeps['db'], mailboxId: string, test: TestEmail): Promise<boolean> {
  if (test.providerId !== null) {
    const message = await getMessage(db, mailboxId, test.providerId);
    return message !== undefined && isTestEmailCopy(test, message);
  }
  return (await findMessages(db, mailboxId, (message) => isTestEmailCopy(test, message), 1)).length > 0;
}

/**
 * The user reviewed a run's sample and it looks right (R24, R32): ticks "timeline reviewed" and
 * "matching verified", which lifts the first backfill's 14-day hold (R10). Only a finished
 * backfill or sync of this mailbox that pushed something has a sample to review.
 */
export async function markSampleReviewed(deps: BackgroundDeps, mailboxId: string, runId: string): Promise<Mailbox> {
  const mailbox = await requireMailbox(deps, mailboxId);
  const run = await getRun(deps.db, runId);
  if (!run || run.mailboxId !== mailbox.id) throw MessagingError.of('handler_failed', `That run is not in the sync history of ${mailbox.address}.`);
  if (run.kind === 'preview') throw MessagingError.of('handler_failed', 'A preview pushes nothing to the CRM, so there is no timeline to review. Review a backfill or sync that pushed emails.');
  if (run.status === 'running') throw MessagingError.of('handler_failed', 'That run is still going. Review its sample once it has finished.');
  if (run.undoneAt !== null) throw MessagingError.of('handler_failed', 'That run was undone: what it pushed is no longer in the CRM. Review another run.');
  if (run.counts.pushed === 0) throw MessagingError.of('handler_failed', 'That run pushed no email to the CRM, so there is nothing to review. Review a run that pushed emails.');
  const now = Date.now();
  return stored(await updateMailbox(deps.db, mailbox.id, (m) => ({ ...m, checklist: { ...m.checklist, timeline_reviewed: now, matching_verified: now } })));
}
