import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { z } from 'zod';
import type { Mailbox } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { SelectField, TextField } from '../ui/field';
import { formatWhen } from '../ui/format';
import { useZodForm } from '../ui/use-zod-form';
import { lookupSchema } from './forms';
import { messageStateWords } from '../words';

/** "Why wasn't this logged?" (R17): stored messages by subject or address, each with its state and reason in plain words. */
export function MessageLookup(props: { mailboxes: readonly Mailbox[] }) {
  const form = useZodForm(lookupSchema, { mailboxId: props.mailboxes[0]?.id ?? '', text: '' });
  const [asked, setAsked] = useState<z.output<typeof lookupSchema> | null>(null);
  const found = useQuery({
    queryKey: ['lookup', asked?.mailboxId, asked?.text],
    queryFn: async () => (await sendToBackground('lookupMessages', { mailboxId: asked!.mailboxId, text: asked!.text, limit: 25 })).messages,
    enabled: asked !== null,
  });
  return (
    <section className="subsection lookup" aria-labelledby="lookup-heading">
      <h3 id="lookup-heading">Why wasn&apos;t this logged?</h3>
      <form aria-label="Find a message" className="inline-form" onSubmit={form.submit(setAsked)} noValidate>
        {props.mailboxes.length > 1 && (
          <SelectField
            label="Mailbox"
            options={props.mailboxes.map((m) => ({ value: m.id, label: m.address }))}
            {...form.text('mailboxId')}
          />
        )}
        <TextField label="Subject or address" {...form.text('text')} />
        <Button type="submit" pending={found.isFetching}>
          Look up
        </Button>
      </form>
      {found.isFetching && <p role="status">Looking…</p>}
      {found.isError && (
        <div role="alert">
          <ErrorMessage error={found.error} />
        </div>
      )}
      {found.isSuccess && asked && (
        <div role="status" aria-label="Lookup results">
          {found.data.length === 0 ? (
            <p>No stored message has &quot;{asked.text}&quot; in its subject or as an address. It may be older than the synced window.</p>
          ) : (
            <ul className="lookup-results">
              {found.data.map((message) => (
                <li key={message.providerId}>
                  <span className="sample-subject">{message.subject ?? '(no subject)'}</span>
                  <span className="muted">
                    {' '}
                    {message.direction === 'sent' ? 'sent' : 'received'} {formatWhen(message.date)}
                  </span>
                  <div className={message.state === 'pushed' ? 'state-ok' : 'state-not'}>{messageStateWords(message)}</div>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
