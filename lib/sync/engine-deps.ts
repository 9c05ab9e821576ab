import type { CrmClient } from '../crm';
import type { MailboxCrmDatabase } from '../db';
import type { JobProgress, Mailbox, PrivacyRules } from '../domain';
import type { MailProvider } from '../providers/mail-provider';

/** The CRM as the engine needs it: its client, and the base URL the contact mirror belongs to. */
export interface EngineCrm {
  baseUrl: string;
  client: CrmClient;
}

/**
 * What the engine needs from the outside world. The background passes the browser's; the tests
 * pass the same real parts pointed at the emulators, with their own clock and alarms.
 */
export interface EngineDeps {
  db: MailboxCrmDatabase;
  /** The provider client of a connected mailbox (one per mailbox, shared with every caller). */
  provider(mailbox: Mailbox): MailProvider;
  /** The connected CRM, or null when there is none. */
  crm(): Promise<EngineCrm | null>;
  privacyRules(): Promise<PrivacyRules>;
  /**
   * Publishes a job's progress where open pages see it. In the browser this is a
   * `chrome.storage.session` write: an extension API call after every page of a backfill, preview
   * or outbox drain (every 20 deletions of an undo), which is what keeps the MV3 worker alive
   * through a long job (each call resets its 30 s idle timer, Chrome 110+; the Gmail limiter's
   * saved leases add more). Incremental sync and the contact mirror are a page or two between
   * alarms; a worker stopped anyway resumes from the last committed page.
   */
  progress(update: JobProgress | { jobId: string; cleared: true }): Promise<void>;
  /** Asks to be woken at `at` (a persisted `notBefore`): an alarm, since the worker may be gone by then. */
  wakeAt(at: number): Promise<void>;
  now(): number;
  /**
   * The engine changed a mailbox's status (an error that blocks it, or its end): the background
   * sends the CRM's record of the mailbox again (R37). Awaited after the change is stored; a
   * failure is logged, never undoes the change. Optional: the engine alone needs no CRM record.
   */
  mailboxStatusChanged?(mailbox: Mailbox): Promise<void>;
}
