import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import type { Mailbox } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { ErrorMessage } from '../ui/error-message';
import { Notice } from '../ui/notice';

const PROVIDER_NAMES: Record<Mailbox['provider'], string> = { gmail: 'Gmail', outlook: 'Outlook', imap: 'IMAP/SMTP' };
const STATUS_WORDS: Record<Mailbox['status'], string> = {
  connected: 'Connected',
  syncing: 'Syncing',
  error: 'Provider error',
  reconnect_needed: 'Reconnect needed',
};

/** Why access may still be there after a disconnect, per provider (R34). */
const NOT_REVOKED: Record<Mailbox['provider'], string> = {
  gmail: 'Google could not be reached or did not confirm that access was revoked.',
  outlook: 'Outlook offers no way for the extension to revoke its own access.',
  imap: 'The mail server could not be told.',
};

/** What a disconnect left to do by hand: access not revoked, or the CRM's record not removed (R34). */
type Unrevoked = { address: string; provider: Mailbox['provider']; revoked: boolean; removeAccessUrl: string | null; crmRecordError: string | null };

/** The connected mailboxes, or the empty state with the way to connect one. */
export function MailboxList(props: { mailboxes: Mailbox[]; emptyAction?: ReactNode }) {
  // Kept here, not in the row: the row is gone once its mailbox is disconnected.
  const [unrevoked, setUnrevoked] = useState<Unrevoked | null>(null);
  const warning = unrevoked && (
    <>
      {!unrevoked.revoked && (
        <Notice tone="error" title={`${unrevoked.address} is disconnected, but access was not revoked`}>
          <p>
            {NOT_REVOKED[unrevoked.provider]} Its data is gone from this browser; to remove the extension's access, visit{' '}
            {unrevoked.removeAccessUrl && (
              <a href={unrevoked.removeAccessUrl} target="_blank" rel="noreferrer">
                {unrevoked.removeAccessUrl}
              </a>
            )}
            {unrevoked.provider === 'outlook' && ' (personal Microsoft accounts: account.live.com/consent/Manage)'}.
          </p>
        </Notice>
      )}
      {unrevoked.crmRecordError && (
        <Notice tone="error" title={`${unrevoked.address} is disconnected, but the CRM still lists it`}>
          <p>{unrevoked.crmRecordError}</p>
        </Notice>
      )}
    </>
  );
  if (props.mailboxes.length === 0) {
    return (
      <>
        {warning}
        <Notice tone="empty" title="No mailbox connected yet" action={props.emptyAction}>
          <p>Connect Gmail or Outlook to log customer email on your CRM contacts.</p>
        </Notice>
      </>
    );
  }
  return (
    <>
      {warning}
      <ul className="mailbox-list" aria-label="Mailboxes">
        {props.mailboxes.map((mailbox) => (
          <MailboxRow key={mailbox.id} mailbox={mailbox} onUnrevoked={setUnrevoked} />
        ))}
      </ul>
    </>
  );
}

/** One mailbox: who it is, its state, the latest error in plain words and what fixes it (R12). */
function MailboxRow({ mailbox, onUnrevoked }: { mailbox: Mailbox; onUnrevoked: (what: Unrevoked) => void }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['overview'] });
  const reconnect = useMutation({ mutationFn: () => sendToBackground('reconnectMailbox', { id: mailbox.id }), onSuccess: refresh });
  const disconnect = useMutation({
    mutationFn: () => sendToBackground('disconnectMailbox', { id: mailbox.id }),
    onSuccess: (result) => {
      if (!result.revoked || result.crmRecordError) onUnrevoked(result);
      return refresh();
    },
  });
  // "Reconnect" also re-asks for a permission left unticked on the consent screen.
  const canReconnect = mailbox.status === 'reconnect_needed' || mailbox.lastError?.action === 'grant_permission';
  const label = `${PROVIDER_NAMES[mailbox.provider]} · ${mailbox.address}`;

  return (
    <li aria-label={label}>
      <div className="mailbox-head">
        <span>{label}</span>
        <span className="status">{STATUS_WORDS[mailbox.status]}</span>
      </div>
      {mailbox.identity && <p className="identity">Sends as {mailbox.identity.displayName}{mailbox.identity.replyTo ? `, replies to ${mailbox.identity.replyTo}` : ''}</p>}
      {mailbox.lastError && <ErrorMessage error={mailbox.lastError} />}
      {(reconnect.error ?? disconnect.error) && <ErrorMessage error={(reconnect.error ?? disconnect.error)!} />}
      <div className="button-row">
        {canReconnect && (
          <button type="button" disabled={reconnect.isPending} onClick={() => reconnect.mutate()}>
            Reconnect
          </button>
        )}
        {confirming ? (
          <>
            <span className="confirm-text">Disconnect? Email already in the CRM stays there.</span>
            <button type="button" className="danger" disabled={disconnect.isPending} onClick={() => disconnect.mutate()}>
              Yes, disconnect
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            Disconnect
          </button>
        )}
      </div>
    </li>
  );
}
