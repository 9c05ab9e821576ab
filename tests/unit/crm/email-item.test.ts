import { describe, expect, it } from 'vitest';
import { SNIPPET_MAX, toCrmEmail } from '@/lib/crm';
import { aMessage } from '@/tests/fixtures/domain';

/** R22: the CRM receives only what the mailbox's visibility allows. */
const MAILBOX = 'rep@acme-sales.test';
const message = aMessage({ subject: 'Renewal quote', snippet: 'Here is the signed quote', body: 'Here is the signed quote.\n\nSECRET-BODY-TEXT' });

describe('toCrmEmail (R22 visibility)', () => {
  it('metadata: no subject, no snippet, no body', () => {
    const item = toCrmEmail(message, ['ct-2', 'ct-1'], 'metadata', MAILBOX);
    expect(item).toEqual({
      message_id: '<CAF=abc123@mail.gmail.com>',
      mailbox: MAILBOX,
      direction: 'received',
      from: { name: 'Dana Buyer', address: 'dana@customer.test' },
      to: [{ name: 'Rep', address: 'rep@acme-sales.test' }],
      cc: [],
      date: '2026-11-20T10:00:00.000Z',
      thread_key: '18c2a0f4e1b2c3d4',
      contact_ids: ['ct-1', 'ct-2'],
    });
    expect(JSON.stringify(item)).not.toMatch(/Renewal|signed quote|SECRET/);
  });

  it('snippet: subject and snippet, never the body', () => {
    const item = toCrmEmail(message, ['ct-1'], 'snippet', MAILBOX);
    expect(item).toMatchObject({ subject: 'Renewal quote', snippet: 'Here is the signed quote' });
    expect(item).not.toHaveProperty('body');
    expect(JSON.stringify(item)).not.toContain('SECRET-BODY-TEXT');
  });

  it('full: subject, snippet and body', () => {
    const item = toCrmEmail(message, ['ct-1'], 'full', MAILBOX);
    expect(item).toMatchObject({ subject: 'Renewal quote', snippet: 'Here is the signed quote', body: message.body });
  });

  it('leaves out what the message does not have, and cuts the snippet to the contract limit', () => {
    const bare = toCrmEmail(aMessage({ subject: null, snippet: 'x'.repeat(SNIPPET_MAX + 20), body: null }), ['ct-1'], 'full', MAILBOX);
    expect(bare).not.toHaveProperty('subject');
    expect(bare).not.toHaveProperty('body');
    expect(bare.snippet).toHaveLength(SNIPPET_MAX);
  });

  it('never sends Bcc or Reply-To', () => {
    const item = toCrmEmail(aMessage({ bcc: [{ name: null, address: 'hidden@bcc.test' }], replyTo: [{ name: null, address: 'reply@x.test' }] }), ['ct-1'], 'full', MAILBOX);
    expect(JSON.stringify(item)).not.toMatch(/hidden@bcc|reply@x/);
  });

  it('keeps one Message-ID form, and a stable stand-in when there is none (R15)', () => {
    expect(toCrmEmail(aMessage({ messageId: ' abc@x.test ' }), ['c'], 'metadata', MAILBOX).message_id).toBe('<abc@x.test>');
    const first = toCrmEmail(aMessage({ messageId: null }), ['c'], 'metadata', MAILBOX).message_id;
    expect(first).toMatch(/^<[^<>\s]+>$/);
    expect(toCrmEmail(aMessage({ messageId: null }), ['c'], 'metadata', MAILBOX).message_id).toBe(first);
    expect(toCrmEmail(aMessage({ messageId: null, providerId: 'other' }), ['c'], 'metadata', MAILBOX).message_id).not.toBe(first);
  });

  it('sends a sent message without From as from the mailbox, a received one as from an unknown sender that is nobody', () => {
    expect(toCrmEmail(aMessage({ from: null, direction: 'sent' }), ['c'], 'metadata', MAILBOX).from).toEqual({ address: MAILBOX, name: null });
    expect(toCrmEmail(aMessage({ from: null, direction: 'received' }), ['c'], 'metadata', MAILBOX).from).toEqual({ address: 'unknown-sender@unknown.invalid', name: 'Unknown sender' });
  });
});
