import { getMailbox, listMailboxes, runsOf, updateMailbox } from '../db';
import { type Handlers, MessagingError } from '../messaging';
import { promptMemoryItem, readDisconnects, readJobProgress, readPromptMemory } from '../platform';
import { crmOrigin, decideThread, dismissPrompt, lookupMessages, reviewPrompts, runSample, threadState } from '../sync';
import type { BackgroundDeps } from './deps';
import { engineDeps, engineOf } from './engine';
import { mailboxProvider, requireMailbox } from './mailboxes';

/** The engine's messages (issue 9): what the popup, options page and sidebar ask the background about syncs and threads. */
export type SyncMessageName =
  | 'syncNow'
  | 'requestSync'
  | 'backfill'
  | 'preview'
  | 'cancelJob'
  | 'undoRun'
  | 'getJobs'
  | 'getRuns'
  | 'getRunSample'
  | 'lookupMessages'
  | 'setThreadDecision'
  | 'listFolders'
  | 'setSyncOnly'
  | 'getReviewPrompts'
  | 'dismissReviewPrompt';

type SyncHandlers = Pick<Handlers, SyncMessageName>;

/** The background's answers to the engine's messages (R9–R18, R24, R27, R28, R33). */
export function syncHandlers(deps: BackgroundDeps): SyncHandlers {
  const engine = engineOf(deps);
  return {
    syncNow: async ({ mailboxId }) => ({ jobs: [await engine.syncNow(mailboxId)] }),
    async requestSync({ provider }) {
      const mailboxes = (await listMailboxes(deps.db)).filter((m) => m.provider === provider);
      const jobs = await Promise.all(mailboxes.map((m) => engine.requestSync(m.id)));
      return { jobs: jobs.filter((job) => job !== null) };
    },
    async backfill({ mailboxId, days, confirmed }) {
      const answer = await engine.backfill(mailboxId, { days, confirmed });
      return 'confirm' in answer ? answer : { job: answer };
    },
    preview: async ({ mailboxId, days }) => ({ job: await engine.preview(mailboxId, days) }),
    cancelJob: async ({ jobId }) => ({ job: (await engine.cancel(jobId)) ?? null }),
    undoRun: async ({ mailboxId, runId }) => ({ job: await engine.undo(mailboxId, runId) }),
    getJobs: async () => ({ jobs: await engine.jobs(), progress: Object.values(await readJobProgress()) }),
    getRuns: async ({ mailboxId }) => ({ runs: await runsOf(deps.db, mailboxId) }),
    getRunSample: async ({ runId, perContact }) => ({ contacts: await runSample(deps.db, runId, perContact, await crmOrigin(engineDeps(deps))) }),
    lookupMessages: async ({ mailboxId, text, limit }) => ({ messages: await lookupMessages(deps.db, mailboxId, text, limit, await crmOrigin(engineDeps(deps))) }),
    async setThreadDecision(input) {
      if (input.dontSync && input.contactIds.length > 0) throw MessagingError.of('invalid_payload', 'A thread is either linked to contacts or marked "don\u2019t sync", not both.');
      await decideThread(engineDeps(deps), input);
      engine.tickSoon();
      return { messages: await threadState(deps.db, input.mailboxId, input.threadKey, await crmOrigin(engineDeps(deps))) };
    },
    async listFolders({ mailboxId }) {
      const mailbox = await requireMailbox(deps, mailboxId);
      return { folders: await mailboxProvider(deps, mailbox).listFolders() };
    },
    async setSyncOnly({ mailboxId, only }) {
      const mailbox = await requireMailbox(deps, mailboxId);
      if (only) {
        const offered = new Set((await mailboxProvider(deps, mailbox).listFolders()).map((f) => f.id));
        if (only.some((id) => !offered.has(id))) throw MessagingError.of('invalid_payload', 'One of the chosen labels or folders is no longer in the mailbox. Reload the list and choose again.');
      }
      const updated = await updateMailbox(deps.db, mailbox.id, (m) => ({ ...m, syncOnly: only ? [...new Set(only)] : null }));
      if (!updated) throw MessagingError.of('handler_failed', 'That mailbox is no longer connected. Reopen the popup to see the current list.');
      return updated;
    },
    async getReviewPrompts() {
      const { prompts, memory } = await reviewPrompts(deps.db, await readPromptMemory(), Date.now(), await readDisconnects());
      await promptMemoryItem.setValue(memory);
      return { prompts };
    },
    async dismissReviewPrompt({ id }) {
      const memory = await readPromptMemory();
      const { prompts } = await reviewPrompts(deps.db, { ...memory, dismissed: {} }, Date.now(), await readDisconnects());
      const prompt = prompts.find((p) => p.id === id);
      if (!prompt) return {};
      const owner = (await getMailbox(deps.db, prompt.mailboxId))?.owner ?? null;
      await promptMemoryItem.setValue(dismissPrompt(memory, prompt, owner, Date.now()));
      return {};
    },
  };
}
