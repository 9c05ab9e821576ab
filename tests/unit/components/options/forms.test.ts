import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { detailsSchema, lookupSchema, rulesFormSchema, syncOnlySchema, testSendSchema } from '@/components/options/forms';
import { fieldErrors } from '@/components/ui/use-zod-form';

/** The field messages a form shows for these values (what `useZodForm` puts on each field). */
function errorsOf(schema: z.ZodType, values: unknown) {
  const result = schema.safeParse(values);
  return result.success ? {} : fieldErrors(result.error.issues);
}

describe('privacy rules form', () => {
  const valid = { workspaceDomains: 'Acme-Sales.test\n eu.acme.test ,acme-sales.test', blockedAddresses: 'ceo@rival.test', blockedDomains: '', excludedCategories: ['promotions'] };

  it('reads one entry a line, trimmed, lower case, without repeats', () => {
    expect(rulesFormSchema.parse(valid)).toEqual({ workspaceDomains: ['acme-sales.test', 'eu.acme.test'], blockedAddresses: ['ceo@rival.test'], blockedDomains: [], excludedCategories: ['promotions'] });
  });

  it('names the bad entry on its own field, in the words of the rules', () => {
    expect(errorsOf(rulesFormSchema, { ...valid, blockedDomains: 'ok.test\nnot a domain' })).toEqual({ blockedDomains: expect.stringMatching(/^“not a domain” is not a domain\./) });
    expect(errorsOf(rulesFormSchema, { ...valid, blockedAddresses: 'rival.test' })).toEqual({ blockedAddresses: expect.stringMatching(/^“rival.test” is a domain: add it under blocked domains/) });
    expect(errorsOf(rulesFormSchema, { ...valid, workspaceDomains: 'http://acme.test' })).toEqual({ workspaceDomains: expect.stringMatching(/is not a domain/) });
  });
});

describe('mailbox details form', () => {
  it('puts a shared mailbox without an owner or a note on each missing field', () => {
    expect(errorsOf(detailsSchema, { kind: 'shared', owner: ' ', recoveryNote: '' })).toEqual({
      owner: expect.stringMatching(/^A shared mailbox needs an owner/),
      recoveryNote: expect.stringMatching(/^A shared mailbox needs a recovery note/),
    });
    expect(errorsOf(detailsSchema, { kind: 'shared', owner: 'dana@acme.test', recoveryNote: '' })).toEqual({ recoveryNote: expect.stringMatching(/^A shared mailbox needs a recovery note/) });
    // The same rule as the popup's connect form and the background: the owner is an address.
    expect(errorsOf(detailsSchema, { kind: 'shared', owner: 'Dana', recoveryNote: 'IT' })).toEqual({ owner: expect.stringMatching(/^Enter the owner's email address/) });
  });

  it('sends empty texts as null, and lets a personal mailbox have neither', () => {
    expect(detailsSchema.parse({ kind: 'personal', owner: '', recoveryNote: ' ' })).toEqual({ kind: 'personal', owner: null, recoveryNote: null });
    expect(detailsSchema.parse({ kind: 'shared', owner: ' dana@acme.test ', recoveryNote: 'IT holds the password' })).toEqual({ kind: 'shared', owner: 'dana@acme.test', recoveryNote: 'IT holds the password' });
  });
});

describe('synced labels form', () => {
  it('is null for all mail, the chosen ids otherwise, and needs one when restricted', () => {
    expect(syncOnlySchema.parse({ mode: 'all', only: ['INBOX'] })).toBeNull();
    expect(syncOnlySchema.parse({ mode: 'only', only: ['Label_1'] })).toEqual(['Label_1']);
    expect(errorsOf(syncOnlySchema, { mode: 'only', only: [] })).toEqual({ only: 'Choose at least one label or folder, or sync all mail.' });
  });
});

describe('test email and lookup forms', () => {
  it('says on the address field when it is not an address', () => {
    expect(errorsOf(testSendSchema, { to: 'me@' })).toEqual({ to: 'Enter a full email address you read, for example you@example.com.' });
    expect(testSendSchema.parse({ to: ' me@example.test ' })).toEqual({ to: 'me@example.test' });
  });

  it('asks for two characters at least', () => {
    expect(errorsOf(lookupSchema, { mailboxId: 'gmail:a@b.test', text: ' x ' })).toEqual({ text: 'Type at least two characters of a subject, or a whole address.' });
  });
});
