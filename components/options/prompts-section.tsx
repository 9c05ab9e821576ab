import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Mailbox, ReviewPrompt } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { Panel } from '../ui/panel';
import { testSendFieldId } from './checklist-section';
import { goTo, mailboxPartId, runRowId } from './navigation';
import { usePrompts } from './queries';

const KIND_TITLES: Readonly<Record<ReviewPrompt['kind'], string>> = {
  stale_sync: 'Customer emails stopped syncing',
  provider_access: 'Provider permissions or passwords changed',
  duplicates: 'Many duplicates in a run',
  owner_account: 'The signed-in account differs from the owner',
  owner_changed: 'The owner changed',
  replacement_test: 'Send a test email from the replacement mailbox',
};

/** Review prompts (R33): each notice with the action that answers it, and "Dismiss". */
export function PromptsSection(props: { mailboxes: readonly Mailbox[] }) {
  const prompts = usePrompts();
  return (
    <Panel id="prompts" title="Review prompts" description="Raised automatically when something needs a look.">
      {prompts.isPending && <p role="status">Loading the review prompts…</p>}
      {prompts.isError && (
        <Notice tone="error" title="Could not read the review prompts" action={<Button onClick={() => prompts.refetch()}>Try again</Button>}>
          <ErrorMessage error={prompts.error} />
        </Notice>
      )}
      {prompts.isSuccess && prompts.data.length === 0 && <p>Nothing needs a review now.</p>}
      {prompts.isSuccess && prompts.data.length > 0 && (
        <ul className="prompts">
          {prompts.data.map((prompt) => (
            <PromptItem key={prompt.id} prompt={prompt} mailboxes={props.mailboxes} />
          ))}
        </ul>
      )}
    </Panel>
  );
}

function PromptItem(props: { prompt: ReviewPrompt; mailboxes: readonly Mailbox[] }) {
  const queryClient = useQueryClient();
  const { prompt } = props;
  const index = props.mailboxes.findIndex((m) => m.id === prompt.mailboxId);
  const address = props.mailboxes[index]?.address ?? prompt.mailboxId;
  const act = useMutation({
    mutationFn: async () => {
      if (prompt.action === 'sync_now') return void (await sendToBackground('syncNow', { mailboxId: prompt.mailboxId }));
      return void (await sendToBackground('reconnectMailbox', { id: prompt.mailboxId }));
    },
    onSuccess: () => Promise.all(['overview', 'prompts', 'jobs'].map((key) => queryClient.invalidateQueries({ queryKey: [key] }))),
  });
  const dismiss = useMutation({
    mutationFn: () => sendToBackground('dismissReviewPrompt', { id: prompt.id }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['prompts'] }),
  });
  return (
    <li className="prompt">
      <p className="prompt-title">
        <strong>{KIND_TITLES[prompt.kind]}</strong> <span className="muted">({address})</span>
      </p>
      <p>{prompt.message}</p>
      <div className="button-row">
        <PromptAction prompt={prompt} index={index} pending={act.isPending} onRun={() => act.mutate()} />
        <Button variant="ghost" pending={dismiss.isPending} aria-label={`Dismiss: ${KIND_TITLES[prompt.kind]} (${address})`} onClick={() => dismiss.mutate()}>
          Dismiss
        </Button>
      </div>
      <MutationStatus mutation={act} pending="Working on it…" success="Done." />
      <MutationStatus mutation={dismiss} pending="Dismissing…" />
    </li>
  );
}

/** The action a prompt needs: run it (sync now, reconnect), or lead to where it is done. */
function PromptAction(props: { prompt: ReviewPrompt; index: number; pending: boolean; onRun: () => void }) {
  const { prompt, index } = props;
  switch (prompt.action) {
    case 'sync_now':
      return (
        <Button pending={props.pending} onClick={props.onRun}>
          Sync now
        </Button>
      );
    case 'reconnect':
    case 'grant_permission':
      return (
        <Button pending={props.pending} onClick={props.onRun}>
          {prompt.action === 'reconnect' ? 'Reconnect' : 'Grant access'}
        </Button>
      );
    case 'review_run':
      return <Button onClick={() => goTo(prompt.runId ? runRowId(prompt.runId) : 'history')}>Review the run</Button>;
    case 'review_owner':
      return <Button onClick={() => goTo(index >= 0 ? mailboxPartId('mailbox', index) : 'mailboxes')}>Review the owner</Button>;
    case 'send_test':
      return <Button onClick={() => goTo(index >= 0 ? testSendFieldId(index) : 'checklist')}>Send a test email</Button>;
  }
}
