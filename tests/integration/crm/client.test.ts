import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { DEMO_PAT } from '@/emulators/crm';
import { staticToken } from '@/lib/auth/access-token';
import type { Contact, Message, ProviderErrorCode, Visibility } from '@/lib/domain';
import { normaliseAddress } from '@/lib/matching/address';
import { type ContactCursor, type CrmClient, type CrmEmailInput, canonicalEmailItem, createCrmClient, emailBatchKey, toCrmEmail } from '@/lib/crm';
import { aMessage } from '@/tests/fixtures/domain';
import { type EmulatorAdmin, emulatorAdmin } from '@/tests/support/emulator-admin';
import { ContractError, contractFetch } from '@/tests/support/openapi';
import { failure } from '@/tests/support/provider-error';

/**
 * The CRM client (`lib/crm`, R37) against the CRM emulator over real HTTP. For this suite the global
 * `fetch` (which the shared `send` uses) checks every answer from the CRM's `/public/v1` API against
 * `lib/crm/openapi.yaml` with `contractFetch`; a breach is recorded, not thrown (a throw inside
 * `fetch` would look like a network failure to the client), and `afterEach` requires none, so no
 * answer the client received escapes the contract. The emulator's admin calls are test plumbing
 * and go around the checker.
 */
let emulators: RunningEmulators;
let base: string;
const realFetch = globalThis.fetch;
let breaches: string[] = [];

const RILEY = 'riley@acme-sales.test';
const SAM = 'sam@acme-sales.test';
const SUPPORT = 'support@acme-sales.test';

/** `fetch` for the client under test: CRM API answers go through the contract checker. */
const checkedFetch: typeof fetch = async (input, init) => {
  const response = await realFetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  if (!url.startsWith(`${base}/public/v1/`)) return response;
  try {
    await contractFetch(async () => response.clone())(input, init);
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    breaches.push(error.message);
  }
  return response;
};

/** The CRM emulator's admin API, called with the real `fetch` (around the contract checker). */
let admin: EmulatorAdmin;
const pat = async (options: { scopes?: string[]; user?: string }) => (await admin.post<{ token: string }>('/crm/tokens', options)).token;
interface Write {
  seq: number;
  path: string;
  idempotency_key: string | null;
  replayed: boolean;
  status: number;
}
const writes = async () => (await admin.get<{ writes: Write[] }>('/crm/writes')).writes;
interface StoredEmail {
  id: string;
  message_id: string;
  contact_ids: string[];
  fields: Record<string, unknown>;
  writes: number;
}
const storedEmails = () => admin.get<{ emails: StoredEmail[]; writes_by_message_id: Record<string, number> }>('/crm/emails');

/** Every retry the client decided on, for the assertions about waits. */
let retries: { code: ProviderErrorCode; delayMs: number }[] = [];
function client(token = DEMO_PAT, attempts = 3): CrmClient {
  return createCrmClient({
    baseUrl: `${base}/`,
    tokens: staticToken(token),
    retry: { attempts, baseDelayMs: 5, maxDelayMs: 20, onRetry: (error, _attempt, delayMs) => retries.push({ code: error.code, delayMs }) },
  });
}

let seq = 0;
/** A matched message as the engine would hand it over, with a fresh Message-ID. */
function message(overrides: Partial<Message> = {}): Message {
  seq++;
  return aMessage({ messageId: `<crm-client-${seq}@mx.granite-freight.test>`, providerId: `p${seq}`, date: Date.UTC(2026, 0, 1) + seq * 60_000, body: `Body ${seq}`, ...overrides });
}
const item = (contactIds: string[], visibility: Visibility = 'snippet', overrides: Partial<Message> = {}) => toCrmEmail(message(overrides), contactIds, visibility, RILEY);

async function mirror(crm: CrmClient, cursor: ContactCursor | null) {
  const pages: { contacts: Contact[]; cursor: ContactCursor }[] = [];
  for await (const page of crm.contactsSince(cursor)) pages.push(page);
  return pages;
}

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 11 });
  base = emulators.urls.crm;
  admin = emulatorAdmin(base, realFetch);
  globalThis.fetch = checkedFetch;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await emulators.stop();
});
beforeEach(async () => {
  await admin.post('/crm/down', { down: false });
  await admin.delete('/faults');
  retries = [];
});
afterEach(() => {
  const found = breaches;
  breaches = [];
  expect(found, 'CRM answers that break lib/crm/openapi.yaml').toEqual([]);
});

describe('crm client: user and contacts (R8, R20)', () => {
  let finalCursor: ContactCursor;

  it('reads the user behind a personal access token', async () => {
    expect(await client().me()).toEqual({
      id: 'usr-riley',
      name: 'Riley Rep',
      email: RILEY,
      workspace: { id: 'ws-acme', name: 'Acme Sales', domains: emulators.context.world.policy.workspaceDomains },
    });
  });

  it('mirrors every seeded contact, additional emails included and normalised', async () => {
    const pages = await mirror(client(), null);
    const { contacts: seeded, companies } = emulators.context.world;
    const expected: Contact[] = seeded.map((c) => ({
      id: c.id,
      name: c.name,
      company: companies.find((co) => co.id === c.companyId)?.name ?? null,
      primaryEmail: c.primaryEmail,
      emails: [...new Set([c.primaryEmail, ...c.additionalEmails].map(normaliseAddress))],
      url: `${base}/contacts/${c.id}`,
      updatedAt: c.updatedAt,
    }));
    const byId = (a: Contact, b: Contact) => (a.id < b.id ? -1 : 1);
    expect(pages.flatMap((p) => p.contacts).sort(byId)).toEqual(expected.sort(byId));
    // The seed has additional emails, so the test covers them.
    expect(seeded.some((c) => c.additionalEmails.length > 0)).toBe(true);
    const last = pages.at(-1)!;
    finalCursor = last.cursor;
    expect(finalCursor.afterId).toBe(last.contacts.at(-1)!.id);
    expect(await mirror(client(), finalCursor)).toEqual([]);
  });

  it('increments return exactly the changed contacts, across pages and through a shared updated_at', async () => {
    const tie = new Date(Date.parse(finalCursor.updatedAfter) + 60_000).toISOString();
    await admin.post('/crm/contacts', { id: 'ct-7', name: 'Renamed Seven', additional_emails: ['Seven.Extra@GoogleMail.com'], updated_at: tie });
    await admin.post('/crm/contacts', { id: 'ct-3', updated_at: tie });
    // 110 more at the very same millisecond: the walk must cross a page boundary inside the tie.
    const made: string[] = [];
    for (let i = 0; i < 110; i++) made.push((await admin.post<{ data: { id: string } }>('/crm/contacts', { name: `Tied ${i}`, email: `tied.${i}@tie.test`, updated_at: tie })).data.id);

    const pages = await mirror(client(), finalCursor);
    expect(pages.map((p) => p.contacts.length)).toEqual([100, 12]);
    const ids = pages.flatMap((p) => p.contacts.map((c) => c.id));
    // All share one updated_at, so the contract's tie-breaker, id in string order, is the order.
    const tied = ['ct-3', 'ct-7', ...made].sort();
    expect(ids).toEqual(tied);
    const seven = pages.flatMap((p) => p.contacts).find((c) => c.id === 'ct-7')!;
    expect(seven).toMatchObject({ name: 'Renamed Seven', updatedAt: Date.parse(tie) });
    expect(seven.emails).toContain('sevenextra@gmail.com');
    // The stored cursor points past everything: nothing more.
    expect(await mirror(client(), pages.at(-1)!.cursor)).toEqual([]);

    // One at a time, the tied contacts still come one after another, none skipped.
    const crm = client();
    let cursor: ContactCursor | null = finalCursor;
    const walked: string[] = [];
    while (cursor && walked.length < 3) {
      const page = await crm.listContacts({ updatedAfter: cursor.updatedAfter, afterId: cursor.afterId, perPage: 1 });
      walked.push(...page.contacts.map((c) => c.id));
      cursor = page.cursor;
    }
    expect(walked).toEqual(tied.slice(0, 3));
  });

  it('finds, reads and creates contacts (R25)', async () => {
    const crm = client();
    const found = await crm.listContacts({ email: 'SEVEN.EXTRA@googlemail.com' });
    expect(found.contacts.map((c) => c.id)).toEqual(['ct-7']);
    expect(await crm.getContact('ct-7')).toEqual(found.contacts[0]);
    const company = emulators.context.world.companies[0]!;
    const created = await crm.createContact({ name: 'Nia New', email: 'Nia.New@Example.test', companyName: company.name });
    expect(created).toMatchObject({ name: 'Nia New', company: company.name, primaryEmail: 'Nia.New@Example.test', emails: ['nia.new@example.test'] });
    // Asked again (a retry after a lost answer): the same contact, replayed, not a second one.
    expect(await crm.createContact({ name: 'Nia New', email: 'Nia.New@Example.test', companyName: company.name })).toEqual(created);
    expect((await writes()).filter((w) => w.path === '/public/v1/contacts').map((w) => w.replayed)).toEqual([false, true]);
    expect((await crm.listContacts({ email: 'nia.new@example.test' })).total).toBe(1);
    expect((await failure(crm.getContact('ct-nope'))).code).toBe('not_found');
    const taken = await failure(crm.createContact({ name: 'Copy', email: 'nia.new@example.test' }));
    expect(taken.data).toMatchObject({ code: 'bad_response', retryable: false });
    expect(taken.message).toContain('email has already been taken');
  });
});

describe('crm client: emails (R15, R18, R22, R24)', () => {
  const seededIds = () => emulators.context.world.contacts.map((c) => c.id);

  it('pushes 250 emails in batches of 100/100/50 with derived keys; a repeat is replayed, stored once', async () => {
    const ids = seededIds();
    const items = Array.from({ length: 250 }, (_, i) => item([ids[i % ids.length]!, ids[(i + 1) % ids.length]!]));
    const before = (await writes()).length;
    const crm = client();
    const results = await crm.pushEmails(items, { scope: 'run-1' });
    expect(results.map((r) => [r.message_id, r.status])).toEqual(items.map((i) => [i.message_id, 'created']));

    const batches = (await writes()).slice(before);
    const expectedKeys = await Promise.all([items.slice(0, 100), items.slice(100, 200), items.slice(200)].map((chunk) => emailBatchKey(chunk.map(canonicalEmailItem), 'run-1')));
    expect(batches.map((w) => [w.path, w.idempotency_key, w.replayed, w.status])).toEqual(expectedKeys.map((key) => ['/public/v1/emails/batch', key, false, 200]));

    // The same run pushes again (say the worker stopped before it stored the results, R13).
    expect(await crm.pushEmails(items, { scope: 'run-1' })).toEqual(results);
    const again = (await writes()).slice(before + 3);
    expect(again.map((w) => [w.idempotency_key, w.replayed])).toEqual(expectedKeys.map((key) => [key, true]));
    const stored = await storedEmails();
    expect(items.map((i) => stored.writes_by_message_id[i.message_id])).toEqual(items.map(() => 1));

    // A changed item (another contact) gets another key: applied, never a 409.
    const changed = { ...items[0]!, contact_ids: [ids[5]!] };
    expect(await crm.pushEmails([changed], { scope: 'run-1' })).toEqual([{ message_id: changed.message_id, status: 'updated', email_id: (results[0] as { email_id: string }).email_id }]);
  });

  it('answers an unknown contact per item and stores the others', async () => {
    const good = item(['ct-4']);
    const bad = item(['ct-4', 'ct-99999']);
    const results = await client().pushEmails([good, bad]);
    expect(results[0]).toMatchObject({ message_id: good.message_id, status: 'created' });
    expect(results[1]).toMatchObject({ message_id: bad.message_id, status: 'error', error: { code: 'unknown_contact' } });
    const stored = await storedEmails();
    expect(stored.emails.some((e) => e.message_id === good.message_id)).toBe(true);
    expect(stored.emails.some((e) => e.message_id === bad.message_id)).toBe(false);
  });

  it('stores only what each visibility level allows', async () => {
    const sent: Record<Visibility, CrmEmailInput> = { metadata: item(['ct-2'], 'metadata'), snippet: item(['ct-2'], 'snippet'), full: item(['ct-2'], 'full') };
    await client().pushEmails(Object.values(sent));
    const stored = await storedEmails();
    const fields = (level: Visibility) => stored.emails.find((e) => e.message_id === sent[level].message_id)!.fields;
    for (const level of ['metadata', 'snippet'] as const) expect(fields(level)).not.toHaveProperty('body');
    expect(fields('metadata')).not.toHaveProperty('subject');
    expect(fields('metadata')).not.toHaveProperty('snippet');
    expect(fields('metadata')).toMatchObject({ message_id: sent.metadata.message_id, from: sent.metadata.from, contact_ids: ['ct-2'] });
    expect(fields('snippet')).toMatchObject({ subject: 'Renewal quote', snippet: 'Here is the signed quote' });
    expect(fields('full')).toMatchObject({ subject: 'Renewal quote', snippet: 'Here is the signed quote', body: sent.full.body });
  });

  it('unlinks one contact, deletes for all, and serves the timeline newest first', async () => {
    const crm = client();
    const older = item(['ct-5']);
    const linked = item(['ct-5', 'ct-6']);
    const [, result] = await crm.pushEmails([older, linked]);
    const id = (result as { email_id: string }).email_id;
    const timeline = async (contact: string, limit = 20) => (await crm.timeline(contact, limit)).map((e) => e.message_id);

    expect((await timeline('ct-5')).slice(0, 2)).toEqual([linked.message_id, older.message_id]);
    expect(await timeline('ct-5', 1)).toEqual([linked.message_id]);
    expect((await crm.timeline('ct-5', 1))[0]).toMatchObject({ id, subject: 'Renewal quote', body: null, contact_ids: ['ct-5', 'ct-6'] });

    expect(await crm.deleteEmail(id, { contactId: 'ct-5', scope: 'review-1' })).toBe(true);
    expect(await timeline('ct-5')).not.toContain(linked.message_id);
    expect(await timeline('ct-6')).toContain(linked.message_id);

    expect(await crm.deleteEmail(id, { scope: 'undo:run-9' })).toBe(true);
    expect(await timeline('ct-6')).not.toContain(linked.message_id);
    // Retried (the answer was lost): replayed under the same key, still a success.
    expect(await crm.deleteEmail(id, { scope: 'undo:run-9' })).toBe(true);
    const deletes = (await writes()).filter((w) => w.path === `/public/v1/emails/${id}`);
    expect(deletes.map((w) => [w.status, w.replayed])).toEqual([
      [204, false],
      [204, false],
      [204, true],
    ]);
    expect(new Set(deletes.map((w) => w.idempotency_key)).size).toBe(2);
    // Nothing there: false rather than an error, so an undo can be resumed.
    expect(await crm.deleteEmail(id, { scope: 'undo:run-10' })).toBe(false);
    expect((await failure(crm.timeline('ct-99999', 5))).code).toBe('not_found');
  });

  it('unlinks each of two contacts from one email in one review: the delete key follows the contact (R24)', async () => {
    const crm = client();
    const linked = item(['ct-9', 'ct-10', 'ct-11']);
    const [result] = await crm.pushEmails([linked]);
    const id = (result as { email_id: string }).email_id;
    expect(await crm.deleteEmail(id, { contactId: 'ct-9', scope: 'review-2' })).toBe(true);
    expect(await crm.deleteEmail(id, { contactId: 'ct-10', scope: 'review-2' })).toBe(true);
    expect((await crm.timeline('ct-11', 100)).find((e) => e.id === id)?.contact_ids).toEqual(['ct-11']);
    const deletes = (await writes()).filter((w) => w.path === `/public/v1/emails/${id}`);
    expect(deletes.map((w) => [w.status, w.replayed])).toEqual([
      [204, false],
      [204, false],
    ]);
  });
});

describe('crm client: retries that meet the first attempt (R13, R15)', () => {
  it('a slow batch retried after a dropped connection waits out 409 idempotency_in_progress, then gets the stored answer; stored once', async () => {
    // The CRM takes 1.5 s over the batch and the connection drops at once, as behind a proxy that times out.
    await admin.post('/crm/slow-writes', { method: 'POST', path: '^/public/v1/emails/batch$', delayMs: 1500, drop: true });
    const items = [item(['ct-7']), item(['ct-8'])];
    const before = (await writes()).length;
    const results = await client(DEMO_PAT, 5).pushEmails(items, { scope: 'slow-run' });
    expect(results.map((r) => [r.message_id, r.status])).toEqual(items.map((i) => [i.message_id, 'created']));

    // The drop, then "still being processed" (Retry-After: 1) until the first attempt is done.
    expect(retries[0]!.code).toBe('network');
    expect(retries.slice(1).length).toBeGreaterThanOrEqual(1);
    expect(retries.slice(1)).toEqual(retries.slice(1).map(() => ({ code: 'server', delayMs: 1000 })));
    const batch = (await writes()).slice(before).map((w) => [w.status, w.replayed]);
    expect(batch.filter(([status]) => status === 409)).toHaveLength(retries.length - 1);
    expect(batch.filter(([status]) => status === 200)).toEqual([
      [200, false],
      [200, true],
    ]);
    expect(batch.at(-1)).toEqual([200, true]);
    const stored = await storedEmails();
    expect(items.map((i) => stored.writes_by_message_id[i.message_id])).toEqual([1, 1]);
  });

  it('the same key with another request is 409 idempotency_conflict: final, not retried', async () => {
    const key = `conflict-${seq}`;
    const post = (contactId: string) =>
      realFetch(`${base}/public/v1/emails/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEMO_PAT}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ emails: [item([contactId])] }),
      });
    expect((await post('ct-7')).status).toBe(200);
    const other = await post('ct-8');
    expect(other.status).toBe(409);
    expect(other.headers.get('retry-after')).toBeNull();
    expect(await other.json()).toMatchObject({ error: { code: 'idempotency_conflict' } });
  });
});

describe('crm client: mailboxes (R5, R6, R34)', () => {
  it('puts, reads dependencies of, and deletes a mailbox record', async () => {
    const crm = client();
    const input = { purpose: 'sales', kind: 'personal', status: 'connected', owner: RILEY, display_name: 'Riley Rep', provider: 'gmail' } as const;
    const created = await crm.putMailbox(RILEY, input);
    expect(created).toMatchObject({ address: RILEY, purpose: 'sales', status: 'connected', recovery_note: null });
    expect(await crm.putMailbox(RILEY, { ...input, status: 'paused' })).toMatchObject({ status: 'paused', created_at: created.created_at });
    // Back to connected: a fresh key, so not answered by the first call's replay.
    expect((await crm.putMailbox(RILEY, input)).status).toBe('connected');
    expect(await crm.mailboxDependencies(RILEY)).toEqual({ workflows: [], templates: [] });
    const support = await crm.mailboxDependencies(SUPPORT);
    expect(support.workflows.length + support.templates.length).toBeGreaterThan(0);
    // A shared inbox is seeded with two workflows and one template that rely on it (emulators/crm/store.ts).
    expect(support.workflows).toHaveLength(2);
    expect(support.templates).toHaveLength(1);

    expect(await crm.deleteMailbox(RILEY)).toBe(true);
    expect(await crm.deleteMailbox(RILEY)).toBe(false);
    expect((await failure(crm.mailboxDependencies(RILEY))).code).toBe('not_found');
    const shared = await failure(crm.putMailbox('billing@acme-sales.test', { purpose: 'finance', kind: 'shared', status: 'connected' }));
    expect(shared.message).toMatch(/owner is required for a shared mailbox/);
    expect((await writes()).every((w) => w.idempotency_key)).toBe(true);
  });
});

describe('crm client: errors (R12)', () => {
  beforeEach(() => admin.delete('/requests'));

  it('an expired personal access token: one retry, then reauth_required', async () => {
    const token = await pat({ user: SAM });
    const crm = client(token);
    expect((await crm.me()).email).toBe(SAM);
    await admin.post('/expire', { what: 'access_tokens', user: SAM });
    const error = await failure(crm.me());
    expect(error.data).toMatchObject({ code: 'reauth_required', action: 'reconnect' });
    expect((await admin.requests('^/public/v1/me$')).map((r) => r.status)).toEqual([200, 401, 401]);
  });

  it('a token without the scope: insufficient_permissions naming it, not retried', async () => {
    const crm = client(await pat({ scopes: ['contacts:read'] }));
    const error = await failure(crm.pushEmails([item(['ct-1'])]));
    expect(error.data).toMatchObject({ code: 'insufficient_permissions', action: 'grant_permission' });
    expect(error.message).toContain('emails:write');
    expect(await admin.requests('^/public/v1/emails/batch$')).toHaveLength(1);
  });

  it('the CRM down: server after the bounded retries; back up within them: success', async () => {
    await admin.post('/crm/down', { down: true });
    const error = await failure(client().me());
    expect(error.code).toBe('server');
    expect((await admin.requests('^/public/v1/me$')).map((r) => r.status)).toEqual([503, 503, 503]);
    expect(retries.map((r) => r.delayMs)).toEqual([1000, 1000]);

    await admin.delete('/requests');
    const pending = client().me();
    setTimeout(() => void admin.post('/crm/down', { down: false }), 300);
    expect((await pending).email).toBe(RILEY);
    expect((await admin.requests('^/public/v1/me$')).map((r) => r.status)).toEqual([503, 200]);
  });

  it('honours Retry-After on 429', async () => {
    await admin.fault({ method: 'GET', path: '^/public/v1/contacts$', status: 429, retryAfter: 1 });
    const started = performance.now();
    await client().listContacts({ perPage: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(retries).toEqual([{ code: 'rate_limited', delayMs: 1000 }]);
  });

  it('malformed JSON: read once more, then bad_response', async () => {
    await admin.fault({ method: 'GET', path: '^/public/v1/me$', rawBody: '{"data": {', count: 2 });
    const error = await failure(client().me());
    expect(error.data).toMatchObject({ code: 'bad_response' });
    expect(error.message).toMatch(/not valid JSON/);
    expect(await admin.requests('^/public/v1/me$')).toHaveLength(2);
    // The injected answers are the only ones off the contract; the checker saw both.
    expect(breaches).toEqual([expect.stringContaining('the body is not JSON'), expect.stringContaining('the body is not JSON')]);
    breaches = [];
  });

  it('a dropped connection: retried, then network', async () => {
    await admin.fault({ method: 'GET', path: '^/public/v1/me$', drop: true, count: 3 });
    const error = await failure(client().me());
    expect(error.data).toMatchObject({ code: 'network', retryable: true });
    expect(retries.map((r) => r.code)).toEqual(['network', 'network']);
    await admin.delete('/requests');
    retries = [];
    await admin.fault({ method: 'GET', path: '^/public/v1/me$', drop: true, count: 1 });
    expect((await client().me()).email).toBe(RILEY);
    // The drop was served, once, and the one retry went through.
    expect((await admin.requests('^/public/v1/me$')).map((r) => r.status)).toEqual([0, 200]);
    expect(retries.map((r) => r.code)).toEqual(['network']);
  });
});
