import { useMutation, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { type Mailbox, openChecklistItems } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { openOptionsPage } from '@/lib/platform';
import { Button } from '../ui/button';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';

/** A button that opens the options page at one section (R36): the second click is there. */
function OptionsLink(props: { section: string; children: ReactNode; label?: string }) {
  const open = useMutation({ mutationFn: () => openOptionsPage(props.section) });
  return (
    <>
      <Button variant="ghost" className="options-link" aria-label={props.label} pending={open.isPending} onClick={() => open.mutate()}>
        {props.children}
      </Button>
      <MutationStatus mutation={open} />
    </>
  );
}

/** "3 checklist items open" (or none), History and Details of one mailbox, each opening its options section. */
export function MailboxOptionsLinks(props: { mailbox: Mailbox }) {
  const open = openChecklistItems(props.mailbox).length;
  return (
    <div className="button-row card-links">
      {open > 0 ? (
        <OptionsLink section="checklist">
          {open} checklist {open === 1 ? 'item' : 'items'} open
        </OptionsLink>
      ) : (
        <OptionsLink section="checklist">Checklist done</OptionsLink>
      )}
      <OptionsLink section="history">History</OptionsLink>
      <OptionsLink section="mailboxes">Details</OptionsLink>
    </div>
  );
}

/** The review prompts in force (R33), in one compact notice that leads to them in the options page. */
export function ReviewPromptsNotice() {
  const prompts = useQuery({ queryKey: ['prompts'], queryFn: async () => (await sendToBackground('getReviewPrompts', {})).prompts });
  if (prompts.isError) return <MutationStatus mutation={{ isPending: false, isSuccess: false, error: prompts.error }} />;
  const count = prompts.data?.length ?? 0;
  if (count === 0) return null;
  return (
    <Notice tone="warning" title={`${count} mailbox ${count === 1 ? 'review needs' : 'reviews need'} you`} action={<OptionsLink section="prompts">Review them</OptionsLink>} />
  );
}
