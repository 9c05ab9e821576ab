import { describe, expect, it } from 'vitest';
import { canonicalJson, createContactKey, deleteEmailKey, emailBatchKey, sha256Hex, toCrmEmail } from '@/lib/crm';
import { aMessage } from '@/tests/fixtures/domain';

/** R15 / R37: every CRM write carries a key derived from what it sends. */
const MAILBOX = 'rep@acme-sales.test';
const item = (messageId: string, contacts: string[], visibility: 'metadata' | 'snippet' | 'full' = 'snippet') =>
  toCrmEmail(aMessage({ messageId, body: 'body' }), contacts, visibility, MAILBOX);

describe('idempotency keys', () => {
  it('hashes with SHA-256 (WebCrypto)', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('same batch → same key; within the CRM limit of 255 characters', async () => {
    const batch = [item('<a@x>', ['ct-1']), item('<b@x>', ['ct-2'])];
    const key = await emailBatchKey(batch);
    expect(await emailBatchKey(batch.map((i) => ({ ...i })))).toBe(key);
    expect(key.length).toBeLessThanOrEqual(255);
  });

  it('another body → another key: contacts, visibility, Message-ID, item order, scope', async () => {
    const base = await emailBatchKey([item('<a@x>', ['ct-1']), item('<b@x>', ['ct-2'])]);
    const variants = [
      [item('<a@x>', ['ct-1', 'ct-3']), item('<b@x>', ['ct-2'])],
      [item('<a@x>', ['ct-1'], 'full'), item('<b@x>', ['ct-2'])],
      [item('<a@x>', ['ct-1']), item('<c@x>', ['ct-2'])],
      [item('<b@x>', ['ct-2']), item('<a@x>', ['ct-1'])],
    ];
    const keys = await Promise.all(variants.map((batch) => emailBatchKey(batch)));
    keys.push(await emailBatchKey([item('<a@x>', ['ct-1']), item('<b@x>', ['ct-2'])], 'run-2'));
    expect(new Set([base, ...keys]).size).toBe(keys.length + 1);
  });

  it('ignores the order of contact ids and of object keys, as the CRM fingerprint does', async () => {
    const one = item('<a@x>', ['ct-1', 'ct-2']);
    const swapped = { ...one, contact_ids: ['ct-2', 'ct-1', 'ct-2'] };
    const reordered = Object.fromEntries(Object.entries(one).reverse()) as typeof one;
    expect(await emailBatchKey([swapped])).toBe(await emailBatchKey([one]));
    expect(await emailBatchKey([reordered])).toBe(await emailBatchKey([one]));
    expect(canonicalJson({ b: 1, a: { d: [{ f: 1, e: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"e":2,"f":1}]},"b":1}');
  });

  it('derives delete keys from the email, the contact and the scope', async () => {
    const all = await deleteEmailKey('em-1', null);
    expect(await deleteEmailKey('em-1', null)).toBe(all);
    const others = await Promise.all([deleteEmailKey('em-1', 'ct-1'), deleteEmailKey('em-2', null), deleteEmailKey('em-1', null, 'undo:run-1'), deleteEmailKey('em-1', 'null')]);
    expect(new Set([all, ...others]).size).toBe(5);
  });

  it('derives create-contact keys from the body', async () => {
    expect(await createContactKey({ name: 'A', email: 'a@x.test' })).toBe(await createContactKey({ email: 'a@x.test', name: 'A' }));
    expect(await createContactKey({ name: 'A', email: 'a@x.test' })).not.toBe(await createContactKey({ name: 'A', email: 'b@x.test' }));
  });
});
