import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { LastConnectFailure, Scope } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { ErrorMessage } from '../ui/error-message';
import { Notice } from '../ui/notice';

const SCOPES: { value: Scope; label: string }[] = [
  { value: 'sales', label: 'Sales' },
  { value: 'support', label: 'Support' },
  { value: 'finance', label: 'Finance' },
  { value: 'personal', label: 'Personal (metadata only)' },
];
/** R4: presets, default 14. Longer windows are confirmed when the backfill starts (R10). */
const BACKFILL_PRESETS = [7, 14, 30, 60, 90];
const PROVIDER_NAMES = { gmail: 'Gmail', outlook: 'Outlook' } as const;

/**
 * One-click connect (R1, R2, R4, R5): scope and backfill days first, then one button per
 * provider. A failed sign-in says why in plain words and how to fix it; the background keeps that
 * failure, because Chrome closes the popup while the sign-in window is open.
 */
export function ConnectForm(props: { lastFailure: LastConnectFailure | null }) {
  const queryClient = useQueryClient();
  const [scope, setScope] = useState<Scope>('sales');
  const [backfillDays, setBackfillDays] = useState(14);
  const ids = { scope: useId(), days: useId() };
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['overview'] });
  const connect = useMutation({
    mutationFn: (provider: 'gmail' | 'outlook') => sendToBackground('connectMailbox', { provider, scope, backfillDays }),
    onSettled: refresh,
  });
  const dismiss = useMutation({ mutationFn: () => sendToBackground('dismissConnectFailure', {}), onSuccess: refresh });
  const busy = connect.isPending;
  // The background's record; the mutation's own error only when the background never answered.
  const failure = props.lastFailure ?? (connect.isError ? { provider: connect.variables, message: connect.error.message } : null);

  return (
    <section className="connect" aria-label="Connect a mailbox">
      <div className="field-row">
        <label htmlFor={ids.scope}>Used for</label>
        <select id={ids.scope} value={scope} onChange={(e) => setScope(e.target.value as Scope)} disabled={busy}>
          {SCOPES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field-row">
        <label htmlFor={ids.days}>Import the last</label>
        <select id={ids.days} value={backfillDays} onChange={(e) => setBackfillDays(Number(e.target.value))} disabled={busy}>
          {BACKFILL_PRESETS.map((days) => (
            <option key={days} value={days}>
              {days} days
            </option>
          ))}
        </select>
      </div>
      <div className="button-row">
        {(['gmail', 'outlook'] as const).map((provider) => (
          <button key={provider} type="button" disabled={busy} onClick={() => connect.mutate(provider)}>
            Connect {PROVIDER_NAMES[provider]}
          </button>
        ))}
      </div>
      {busy && <p role="status">Waiting for {PROVIDER_NAMES[connect.variables]} sign-in…</p>}
      {failure && !busy && (
        <Notice
          tone="error"
          title={`Could not connect ${PROVIDER_NAMES[failure.provider]}`}
          action={
            props.lastFailure && (
              <button type="button" className="secondary" onClick={() => dismiss.mutate()}>
                Dismiss
              </button>
            )
          }
        >
          <ErrorMessage error={props.lastFailure ?? connect.error ?? failure} />
        </Notice>
      )}
    </section>
  );
}
