import { describe, expect, it } from 'vitest';
import { disconnectCrm } from '@/lib/background/crm-connection';
import { engineOf } from '@/lib/background/engine';
import { createHandlers } from '@/lib/background/handlers';
import { contactsByIds, putContacts, type Verdict } from '@/lib/db';
import type { Contact, Mailbox, Message } from '@/lib/domain';
import { normaliseAddress } from '@/lib/matching/address';
import { dispatch, type Envelope, type Handlers, type MessageName, type MessageOutput, protocol } from '@/lib/messaging';
import { decideThread, mirrorContacts, SEARCH_PREFIX_MAX, SEARCH_SCAN_MAX, unlinkThreadContact } from '@/lib/sync';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { sidebarFrame, trust } from '../../support/senders';

/**
 * The sidebar's messages (R25–R30) as the sidebar frame sends them, through the background's
 * handlers and its own engine, against the emulators: what the CRM emulator holds after each.
 */
let h: EngineHarness;
let handlers: Handlers;
const DAY = 24 * 60 * 60_000;
const WORKSPACE = 'acme-sales.test';

useEngineHarness(29, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

function send(name: MessageName, input: unknown): Promise<Envelope> {
  return dispatch(protocol, name, input, sidebarFrame, handlers, trust);
}

async function answer<K extends MessageName>(name: K, input: unknown): Promise<MessageOutput<K>> {
  const envelope = await send(name, input);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.code} ${envelope.error.message}`);
  return protocol[name].output.parse(envelope.value) as MessageOutput<K>;
}

/** Riley's mailbox after a backfill of 90 days, everything pushed, the mirror full. */
async function backfilled(): Promise<Mailbox> {
  const mailbox = await h.connect('gmail');
  await h.engine.backfill(mailbox.id, { days: 90, confirmed: true });
  await h.settle();
  return mailbox;
}

/** What the background's engine (woken by the handlers) and then the harness's leave to do, done. */
async function drain(): Promise<void> {
  await engineOf(h.deps).idle();
  await h.settle();
}

async function storedMessages(mailboxId: string): Promise<Message[]> {
  return (await h.deps.db.messages.where('mailboxId').equals(mailboxId).toArray()) as Message[];
}

async function verdictsOf(mailboxId: string): Promise<Verdict[]> {
  return h.deps.db.verdicts.where('mailboxId').equals(mailboxId).toArray();
}

async function crmClient() {
  return (await h.engineDeps.crm())!.client;
}

/** The mirrored contact with the most emails pushed to it. */
async function contactWithMail(): Promise<Contact> {
  const emails = await h.crmEmails();
  const count = (c: Contact) => emails.filter((e) => e.contact_ids.includes(c.id)).length;
  return (await h.deps.db.contacts.toArray()).sort((a, b) => count(b) - count(a))[0]!;
}

describe('getThreadView (R26, R28)', () => {
  it('gives each page participant once, in order, with its role; unparsable addresses are dropped; names stay data', async () => {
    const riley = await backfilled();
    await h.connect('outlook');
    const [contact] = (await h.deps.db.contacts.toArray()) as Contact[];
    const markup = '<img src=x onerror="alert(1)">Eve</b>';
    const page = [
      { name: 'Riley', address: 'riley.sales@acme-sales.test' },
      { name: 'Sales desk', address: 'SALES@acme-sales.test' },
      { name: 'Help desk', address: 'help@acme-sales.test' },
      { name: 'Colleague', address: `dev@${WORKSPACE}` },
      { name: 'EU colleague', address: `ops@eu.${WORKSPACE}` },
      { name: 'Look-alike', address: `ops@${WORKSPACE}.evil.test` },
      { name: 'Near miss', address: `ops@not${WORKSPACE}` },
      { name: 'Pat', address: 'Pat.Private+news@googlemail.com' },
      { name: 'Counsel', address: 'counsel@eu.brightline-legal.test' },
      { name: contact!.name, address: contact!.primaryEmail!.toUpperCase() },
      { name: 'Again', address: ` ${contact!.primaryEmail!} ` },
      { name: markup, address: 'eve@stranger.test' },
      { name: 'Broken', address: 'not an address' },
      { name: 'Two', address: '"a,b"@evil.test' },
      { name: 'List', address: 'a@one.test, b@two.test' },
    ];
    const view = await answer('getThreadView', { provider: 'gmail', threadKey: 'no-such-thread', participants: page });
    expect(view.crm).toEqual({ connected: true, origin: new URL(h.urls.crm).origin });
    expect(view.participants.map((p) => [p.name, p.address, p.role])).toEqual([
      ['Riley', 'riley.sales@acme-sales.test', 'self'],
      ['Sales desk', 'SALES@acme-sales.test', 'self'],
      ['Help desk', 'help@acme-sales.test', 'self'],
      ['Colleague', `dev@${WORKSPACE}`, 'internal'],
      ['EU colleague', `ops@eu.${WORKSPACE}`, 'internal'],
      ['Look-alike', `ops@${WORKSPACE}.evil.test`, 'not_in_crm'],
      ['Near miss', `ops@not${WORKSPACE}`, 'not_in_crm'],
      ['Pat', 'Pat.Private+news@googlemail.com', 'blocked'],
      ['Counsel', 'counsel@eu.brightline-legal.test', 'blocked'],
      [contact!.name, contact!.primaryEmail!.toUpperCase(), 'contact'],
      [markup, 'eve@stranger.test', 'not_in_crm'],
    ]);
    expect(view.participants[9]!.contact).toEqual({ id: contact!.id, name: contact!.name, company: contact!.company, url: contact!.url });
    expect(contact!.url).toMatch(new RegExp(`^${new URL(h.urls.crm).origin}/`));
    expect(view.participants.filter((p) => p.role !== 'contact').every((p) => p.contact === null)).toBe(true);
    // Only that provider's mailboxes, with nothing stored of an unknown thread.
    expect(view.mailboxes).toEqual([{ mailboxId: riley.id, address: riley.address, scope: 'sales', status: 'connected', link: null, messages: [] }]);
  });

  it("answers a synced thread's states and manual link; a contact link off the CRM's origin is dropped; without a CRM nothing links", async () => {
    const riley = await backfilled();
    const pushed = (await verdictsOf(riley.id)).find((v) => v.reason === null && v.contactIds.length === 1)!;
    const contactId = pushed.contactIds[0]!;
    await answer('setThreadDecision', { mailboxId: riley.id, threadKey: pushed.threadKey, contactIds: [contactId], dontSync: false });
    const contact = (await h.deps.db.contacts.get(contactId))!;
    const participant = { name: 'Them', address: contact.emails[0]! };
    const view = await answer('getThreadView', { provider: 'gmail', threadKey: pushed.threadKey, participants: [participant] });
    const [mailbox] = view.mailboxes;
    expect(mailbox!.link).toEqual({ contacts: [{ id: contactId, name: contact.name, company: contact.company, url: contact.url }], dontSync: false });
    expect(mailbox!.messages.map((m) => m.providerId)).toContain(pushed.providerId);
    expect(mailbox!.messages.find((m) => m.providerId === pushed.providerId)).toMatchObject({ state: 'pushed', contacts: [{ id: contactId }] });

    // A mirror row whose link points elsewhere (a look-alike page) is shown without it.
    await h.deps.db.contacts.update(contactId, { url: 'https://crm.evil.test/contacts/1' });
    const spoofed = await answer('getThreadView', { provider: 'gmail', threadKey: pushed.threadKey, participants: [participant] });
    expect(spoofed.participants[0]!.contact).toMatchObject({ id: contactId, url: null });
    expect(spoofed.mailboxes[0]!.link!.contacts[0]).toMatchObject({ id: contactId, url: null });
    expect(spoofed.mailboxes[0]!.messages.find((m) => m.providerId === pushed.providerId)!.contacts).toEqual([expect.objectContaining({ id: contactId, url: null })]);

    await h.deps.db.contacts.update(contactId, { url: contact.url });
    await disconnectCrm(h.deps);
    const offline = await answer('getThreadView', { provider: 'gmail', threadKey: pushed.threadKey, participants: [participant] });
    expect(offline.crm).toEqual({ connected: false, origin: null });
    for (const p of offline.participants) expect(p.contact?.url ?? null).toBeNull();
  });

  it('reads a mirror of 5 000 contacts by its indexes (no scan per call); search reads a bounded part of it', { timeout: 120_000 }, async () => {
    await h.connect('gmail');
    const origin = new URL(h.urls.crm).origin;
    const many: Contact[] = Array.from({ length: 5_000 }, (_, i) => ({
      id: `bulk-${String(i).padStart(5, '0')}`,
      name: `Person ${i} Example`,
      company: `Company ${i % 300}`,
      primaryEmail: `person${i}@bulk${i % 50}.test`,
      emails: [`person${i}@bulk${i % 50}.test`, `p${i}@alt.test`],
      url: `${origin}/contacts/bulk-${i}`,
      updatedAt: 1,
    }));
    await putContacts(h.deps.db, many);
    const participants = [...Array.from({ length: 8 }, (_, i) => ({ name: `P${i}`, address: `person${i * 613}@bulk${(i * 613) % 50}.test` })), { name: 'Riley', address: `riley@${WORKSPACE}` }, { name: 'New', address: 'new@stranger.test' }];
    const timed = async (run: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 40; i++) {
        const start = performance.now();
        await run();
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return { p50: times[19]!, p95: times[37]! };
    };
    const view = await answer('getThreadView', { provider: 'gmail', threadKey: 't', participants });
    expect(view.participants.filter((p) => p.role === 'contact')).toHaveLength(8);
    // Past the walk's first pages: the one contact named so, then those whose number starts so.
    const found = await answer('searchContacts', { text: 'person 4999', limit: 10 });
    expect(found.contacts.map((c) => c.id)).toEqual(['bulk-04999']);
    expect((await answer('searchContacts', { text: 'p4998@alt', limit: 10 })).contacts.map((c) => c.id)).toEqual(['bulk-04998']);
    // Rows read from the contacts table, counted by Dexie's reading hook (every get, bulkGet and cursor row).
    let rowsRead = 0;
    const count = (row: Contact) => {
      rowsRead++;
      return row;
    };
    h.deps.db.contacts.hook('reading', count);
    const readsOf = async (run: () => Promise<unknown>) => {
      rowsRead = 0;
      await run();
      return rowsRead;
    };
    try {
      // The view looks each participant up by address: a row per known one, not a pass over the mirror.
      expect(await readsOf(() => answer('getThreadView', { provider: 'gmail', threadKey: 't', participants }))).toBeLessThanOrEqual(participants.length);
      // A text that the indexes answer in full reads only what its prefixes find.
      expect(await readsOf(() => answer('searchContacts', { text: 'p4998@alt', limit: 1 }))).toBeLessThanOrEqual(2);
      // A text they do not is looked for inside the fields, by a walk that stops at its cap.
      expect(await readsOf(() => answer('searchContacts', { text: 'person 4999', limit: 10 }))).toBeLessThanOrEqual(2 * SEARCH_PREFIX_MAX + SEARCH_SCAN_MAX);
    } finally {
      h.deps.db.contacts.hook('reading').unsubscribe(count);
    }
    // Timings are printed for a reader, not asserted: a loaded machine would fail them, not the code.
    const viewTimes = await timed(() => answer('getThreadView', { provider: 'gmail', threadKey: 't', participants }));
    const searchTimes = await timed(() => answer('searchContacts', { text: 'person 4999', limit: 10 }));
    console.info(`getThreadView over 5 000 contacts: p50 ${viewTimes.p50.toFixed(1)} ms, p95 ${viewTimes.p95.toFixed(1)} ms; searchContacts: p50 ${searchTimes.p50.toFixed(1)} ms, p95 ${searchTimes.p95.toFixed(1)} ms`);
  });
});

describe('searchContacts (R27 "Link to contact")', () => {
  it('finds by name, company or address ignoring case, prefix matches first, limited; markup stays data', async () => {
    await h.connect('gmail');
    const origin = new URL(h.urls.crm).origin;
    const row = (id: string, name: string, company: string | null, email: string, url: string | null = `${origin}/contacts/${id}`): Contact => ({ id, name, company, primaryEmail: email, emails: [email], url, updatedAt: 1 });
    await putContacts(h.deps.db, [
      row('s1', 'Marianne Dorval', 'Tessera', 'md@tessera.test'),
      row('s2', 'Dora Quist', null, 'dq@quist.test'),
      row('s3', 'Alex Kim', 'Adorable Goods', 'alex@goods.test'),
      row('s4', 'Sam Lee', null, 'dorian@lee.test'),
      row('s5', '<script>alert("x")</script> Dorothy', null, 'dot@x.test', 'https://crm.evil.test/contacts/s5'),
    ]);
    const { contacts } = await answer('searchContacts', { text: 'DOR', limit: 10 });
    // Prefix (a word of the name or company, or an address) first, by name; then substrings, by name.
    expect(contacts.map((c) => c.id)).toEqual(['s5', 's2', 's1', 's4', 's3']);
    expect(contacts[0]).toEqual({ id: 's5', name: '<script>alert("x")</script> Dorothy', company: null, url: null, emails: ['dot@x.test'] });
    expect(contacts[1]).toEqual({ id: 's2', name: 'Dora Quist', company: null, url: `${origin}/contacts/s2`, emails: ['dq@quist.test'] });
    expect((await answer('searchContacts', { text: 'dor', limit: 2 })).contacts.map((c) => c.id)).toEqual(['s5', 's2']);
    expect((await answer('searchContacts', { text: 'tessera', limit: 10 })).contacts.map((c) => c.id)).toEqual(['s1']);
    expect(await answer('searchContacts', { text: 'nobody-here', limit: 10 })).toEqual({ contacts: [], truncated: false });
  });

  it('finds an address by its Gmail variant, and lists the primary address first as the CRM has it', async () => {
    await h.connect('gmail');
    await putContacts(h.deps.db, [{ id: 'g1', name: 'Jane Doe', company: null, primaryEmail: 'Jane.Doe@Gmail.com', emails: ['jd@other.test', 'janedoe@gmail.com'], url: null, updatedAt: 1 }]);
    for (const text of ['Jane.Doe+crm@gmail.com', 'janedoe@', 'JD@OTHER']) {
      expect(await answer('searchContacts', { text, limit: 5 }), text).toEqual({ contacts: [{ id: 'g1', name: 'Jane Doe', company: null, url: null, emails: ['Jane.Doe@Gmail.com', 'jd@other.test'] }], truncated: false });
    }
  });

  it('over the walk\'s cap: prefixes are found anywhere by index; a text found only inside a field past the cap is missing, and said so', { timeout: 120_000 }, async () => {
    await h.connect('gmail');
    const total = SEARCH_SCAN_MAX + 300;
    const many: Contact[] = Array.from({ length: total }, (_, i) => ({
      id: `cap-${String(i).padStart(6, '0')}`,
      name: `Member ${i} Sample`,
      company: `Firm${i}xq`,
      primaryEmail: `member${i}@cap.test`,
      emails: [`member${i}@cap.test`],
      url: null,
      updatedAt: 1,
    }));
    await putContacts(h.deps.db, many);
    const last = total - 1;
    const ids = async (text: string, limit = 10) => {
      const found = await answer('searchContacts', { text, limit });
      return { ids: found.contacts.map((c) => c.id), truncated: found.truncated };
    };
    // Past the walk's cap in id order, found by the words and emails indexes; enough found by
    // prefix, nothing is walked, and nothing is missing.
    expect(await ids(`${last} sample`, 1)).toEqual({ ids: [many[last]!.id], truncated: false });
    expect(await ids(`firm${last}`, 1)).toEqual({ ids: [many[last]!.id], truncated: false });
    expect(await ids(`member${last}@`, 1)).toEqual({ ids: [many[last]!.id], truncated: false });
    // Fewer than asked by prefix: the walk looks further, stops at its cap, and says so.
    expect(await ids(`member${last}@`)).toEqual({ ids: [many[last]!.id], truncated: true });
    // Only inside a field ("irm…xq" of the company): the bounded walk finds those before the cap…
    expect(await ids('irm7xq')).toEqual({ ids: [many[7]!.id], truncated: true });
    // …and not past it, which the answer says.
    expect(await ids(`irm${last}xq`)).toEqual({ ids: [], truncated: true });
  });
});

describe('createContact (R25, R27)', () => {
  it('creates the contact in the CRM and the mirror; the retro-match pushes the past messages of its address to it', { timeout: 60_000 }, async () => {
    const riley = await backfilled();
    const [messages, verdicts] = await Promise.all([storedMessages(riley.id), verdictsOf(riley.id)]);
    const unmatched = new Set(verdicts.filter((v) => v.reason === 'no_contact').map((v) => v.providerId));
    const external = (m: Message) => m.participants.filter((a) => !a.endsWith(WORKSPACE));
    const first = messages.find((m) => unmatched.has(m.providerId) && external(m).length === 1)!;
    const address = external(first)[0]!;
    const past = messages.filter((m) => m.participants.includes(address) && unmatched.has(m.providerId));
    const keys = new Set(verdicts.filter((v) => past.some((m) => m.providerId === v.providerId)).map((v) => v.key));
    expect(keys.size).toBeGreaterThan(0);
    expect((await h.crmEmails()).filter((e) => keys.has(e.message_id))).toEqual([]);
    const cursorBefore = await h.deps.db.checkpoints.toArray();

    const name = '<b onmouseover="x()">Nova</b> Buyer';
    const { contact } = await answer('createContact', { name, email: address, company: 'Nova Corp' });
    expect(contact).toMatchObject({ name, company: 'Nova Corp', url: expect.stringMatching(new RegExp(`^${new URL(h.urls.crm).origin}/`)) });
    const [inCrm] = (await (await crmClient()).listContacts({ email: address })).contacts;
    expect(inCrm).toMatchObject({ id: contact.id, name, company: 'Nova Corp' });
    expect(await contactsByIds(h.deps.db, [contact.id])).toEqual([inCrm]);
    // The mirror's walk did not move: the next walk reads what others changed meanwhile.
    expect(await h.deps.db.checkpoints.toArray()).toEqual(cursorBefore);

    // The handler woke the background's engine: it pushes them without waiting for a poll.
    await engineOf(h.deps).idle();
    const attached = (await h.crmEmails()).filter((e) => keys.has(e.message_id));
    expect(attached).toHaveLength(keys.size);
    for (const email of attached) expect(email.contact_ids).toContain(contact.id);
    const view = await answer('getThreadView', { provider: 'gmail', threadKey: first.threadKey, participants: [{ name: 'x', address }] });
    expect(view.participants[0]).toMatchObject({ role: 'contact', contact: { id: contact.id, name } });
    expect(view.mailboxes[0]!.messages.find((m) => m.providerId === first.providerId)).toMatchObject({ state: 'pushed', contacts: [{ id: contact.id }] });
  });

  it('refuses our own, internal and blocked addresses on the email field, before the CRM is asked; and without a CRM', async () => {
    await h.connect('gmail');
    const before = (await h.crm.requests()).at(-1)?.seq ?? 0;
    for (const email of ['Riley.Sales@acme-sales.test', 'sales@acme-sales.test', `lee@eu.${WORKSPACE}`, 'pat.private+x@googlemail.com', 'a@eu.brightline-legal.test']) {
      const refused = await send('createContact', { name: 'Nope', email });
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_payload', fields: { email: expect.stringMatching(/connected mailbox|workspace’s own domains|blocked/) } } });
    }
    expect((await h.crm.requests(/\/contacts/, { since: before })).filter((r) => r.method === 'POST')).toEqual([]);
    await disconnectCrm(h.deps);
    expect(await send('createContact', { name: 'Nope', email: 'new@stranger.test' })).toMatchObject({ ok: false, error: { code: 'reauth_required', message: expect.stringMatching(/No CRM is connected/) } });
  });

  it('an address the CRM already has: a plain refusal, and the mirror catches up with that contact', async () => {
    await h.connect('gmail');
    await h.settle();
    const existing = (await h.deps.db.contacts.toArray())[0]!;
    // The mirror is behind: it lost the contact (the CRM has it).
    await h.deps.db.contacts.delete(existing.id);
    const refused = await send('createContact', { name: 'Dup', email: existing.primaryEmail!.toUpperCase() });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining(`already a contact in the CRM (${existing.name})`), fields: { email: expect.stringContaining('Link to contact') } } });
    expect(await h.deps.db.contacts.get(existing.id)).toEqual(existing);
    expect((await (await crmClient()).listContacts({ email: existing.primaryEmail! })).contacts).toHaveLength(1);
  });

  it('an address the mirror has on a contact once normalised (a Gmail dot or +tag variant): refused before the CRM is asked', async () => {
    await h.connect('gmail');
    const origin = new URL(h.urls.crm).origin;
    await putContacts(h.deps.db, [{ id: 'gm1', name: 'Jane Doe', company: null, primaryEmail: 'jane.doe@gmail.com', emails: [normaliseAddress('jane.doe@gmail.com')], url: `${origin}/contacts/gm1`, updatedAt: 1 }]);
    const before = (await h.crm.requests()).at(-1)?.seq ?? 0;
    const refused = await send('createContact', { name: 'Jane again', email: 'J.aneDoe+crm@gmail.com' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining('already a contact in the CRM (Jane Doe)'), fields: { email: expect.stringContaining('Link to contact') } } });
    expect((await h.crm.requests(/\/contacts/, { since: before })).filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('only "email has already been taken" reads as "already a contact"; a failed lookup keeps the CRM\'s refusal', async () => {
    await h.connect('gmail');
    await h.settle();
    const existing = (await h.deps.db.contacts.toArray())[0]!;
    await h.deps.db.contacts.delete(existing.id);
    // Another refusal of the data (here of the request as a whole) is the CRM's own words.
    await h.crm.post('/faults', { service: 'crm', method: 'POST', path: '/contacts$', status: 422 });
    expect(await send('createContact', { name: 'Dup', email: existing.primaryEmail! })).toMatchObject({ ok: false, error: { code: 'bad_response', message: expect.stringMatching(/request is not valid/) } });
    // The address is taken, but the lookup that would name the contact fails: the refusal stands.
    await h.crm.post('/faults', { service: 'crm', method: 'GET', path: '/contacts$', status: 403 });
    expect(await send('createContact', { name: 'Dup', email: existing.primaryEmail! })).toMatchObject({ ok: false, error: { code: 'bad_response', message: expect.stringMatching(/email has already been taken/) } });
    expect(await h.deps.db.contacts.get(existing.id)).toBeUndefined();
  });

  it('an address the CRM has but the mirror lacks: the refusal still wakes the engine, which pushes the past messages', { timeout: 60_000 }, async () => {
    const riley = await backfilled();
    const [messages, verdicts] = await Promise.all([storedMessages(riley.id), verdictsOf(riley.id)]);
    const unmatched = new Set(verdicts.filter((v) => v.reason === 'no_contact').map((v) => v.providerId));
    const external = (m: Message) => m.participants.filter((a) => !a.endsWith(WORKSPACE));
    const address = external(messages.find((m) => unmatched.has(m.providerId) && external(m).length === 1)!)[0]!;
    const keys = new Set(verdicts.filter((v) => unmatched.has(v.providerId) && messages.find((m) => m.providerId === v.providerId)!.participants.includes(address)).map((v) => v.key));
    // Made in the CRM behind the extension's back: the mirror does not know it yet.
    const made = await h.crm.post<{ data: { id: string } }>('/crm/contacts', { name: 'Behind Back', email: address });
    expect(await send('createContact', { name: 'Behind Back', email: address })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    await engineOf(h.deps).idle();
    const attached = (await h.crmEmails()).filter((e) => keys.has(e.message_id));
    expect(attached).toHaveLength(keys.size);
    for (const email of attached) expect(email.contact_ids).toContain(made.data.id);
  });

  it('pushes nothing of a "don\'t sync" thread', { timeout: 60_000 }, async () => {
    const riley = await backfilled();
    const [messages, verdicts] = await Promise.all([storedMessages(riley.id), verdictsOf(riley.id)]);
    const unmatched = new Set(verdicts.filter((v) => v.reason === 'no_contact').map((v) => v.providerId));
    const external = (m: Message) => m.participants.filter((a) => !a.endsWith(WORKSPACE));
    const address = external(messages.find((m) => unmatched.has(m.providerId) && external(m).length === 1)!)[0]!;
    const threads = [...new Set(messages.filter((m) => unmatched.has(m.providerId) && m.participants.includes(address)).map((m) => m.threadKey))];
    for (const threadKey of threads) await answer('setThreadDecision', { mailboxId: riley.id, threadKey, contactIds: [], dontSync: true });
    await drain();
    const keys = new Set(verdicts.filter((v) => threads.includes(v.threadKey)).map((v) => v.key));
    await answer('createContact', { name: 'Quiet Thread', email: address });
    await drain();
    expect((await h.crmEmails()).filter((e) => keys.has(e.message_id))).toEqual([]);
  });

  it('pushes nothing of a personal mailbox', { timeout: 60_000 }, async () => {
    const sam = await h.connect('gmail', 'personal');
    await h.engine.backfill(sam.id, { days: 90, confirmed: true });
    await h.settle();
    const [messages, verdicts] = await Promise.all([storedMessages(sam.id), verdictsOf(sam.id)]);
    const external = (m: Message) => m.participants.filter((a) => !a.endsWith(WORKSPACE) && !a.includes('googlemail') && !a.includes('brightline-legal'));
    const withStranger = messages.filter((m) => external(m).length > 0 && verdicts.find((v) => v.providerId === m.providerId)!.contactIds.length === 0);
    expect(withStranger.length).toBeGreaterThan(0);
    const address = external(withStranger[0]!)[0]!;
    const keys = new Set(verdicts.filter((v) => messages.find((m) => m.providerId === v.providerId)!.participants.includes(address)).map((v) => v.key));
    const before = await h.crmEmails();
    await answer('createContact', { name: 'Personal Stranger', email: address });
    await drain();
    expect((await h.crmEmails()).filter((e) => keys.has(e.message_id))).toEqual(before.filter((e) => keys.has(e.message_id)));
  });

  it('a repeated request creates one contact (the idempotency key)', async () => {
    await h.connect('gmail');
    const input = { name: 'Twice Sent', email: 'twice@stranger.test' };
    const [a, b] = await Promise.all([answer('createContact', input), answer('createContact', input)]);
    expect(b.contact.id).toBe(a.contact.id);
    expect((await (await crmClient()).listContacts({ email: input.email })).contacts).toHaveLength(1);

    // Renamed in the CRM since, and mirrored: a third request gets the CRM's replayed first
    // answer, which must not roll the mirror back.
    await h.crm.post('/crm/contacts', { id: a.contact.id, name: 'Renamed Since', updated_at: new Date(Date.now() + 60_000).toISOString() });
    await mirrorContacts(h.engineDeps);
    // The mirror now has the address: a third request is refused before the CRM is asked.
    expect(await send('createContact', input)).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining('(Renamed Since)') } });
    expect(await h.deps.db.contacts.get(a.contact.id)).toMatchObject({ name: 'Renamed Since' });
  });
});

describe('unlinkThreadContact (R27)', () => {
  async function replyTo(mailbox: Mailbox, message: Message, from: string, subject: string): Promise<string> {
    const reply = await h.google.post<{ id: string }>('/google/deliver', { from, to: mailbox.address, subject, body: '.', inReplyTo: message.messageId });
    h.clock += 31_000;
    await h.settle();
    return reply.id;
  }

  it('a pushed contact: the CRM emails of the thread lose it, the thread is "don\'t sync", and later mail is not attached', { timeout: 60_000 }, async () => {
    const riley = await backfilled();
    const verdicts = await verdictsOf(riley.id);
    const pushed = verdicts.find((v) => v.reason === null && v.contactIds.length === 1 && verdicts.filter((w) => w.threadKey === v.threadKey).every((w) => w.contactIds.join() === v.contactIds.join()))!;
    const [contactId] = pushed.contactIds as [string];
    const threadKeys = new Set(verdicts.filter((v) => v.threadKey === pushed.threadKey && v.reason === null).map((v) => v.key));
    expect((await h.crmEmails()).filter((e) => threadKeys.has(e.message_id)).every((e) => e.contact_ids.includes(contactId))).toBe(true);

    const { messages } = await answer('unlinkThreadContact', { mailboxId: riley.id, threadKey: pushed.threadKey, contactId });
    // Skipped, as every skipped message reads: with what matching found, which the mark overrides.
    for (const state of messages) expect(state).toMatchObject({ state: 'skipped', reason: 'dont_sync' });
    expect((await h.crmEmails()).filter((e) => threadKeys.has(e.message_id) && e.contact_ids.includes(contactId))).toEqual([]);

    await drain();
    const message = (await storedMessages(riley.id)).find((m) => m.providerId === pushed.providerId)!;
    const contact = (await h.deps.db.contacts.get(contactId))!;
    const replyId = await replyTo(riley, message, contact.emails[0]!, 'Re: after the unlink');
    const replyKey = (await verdictsOf(riley.id)).find((v) => v.providerId === replyId)!.key;
    expect((await h.crmEmails()).filter((e) => e.message_id === replyKey)).toEqual([]);
    const view = await answer('getThreadView', { provider: 'gmail', threadKey: pushed.threadKey, participants: [] });
    expect(view.mailboxes[0]!.link).toEqual({ contacts: [], dontSync: true });
  });

  it('a contact not pushed yet: the waiting writes go to the other contacts only, now and for later mail', { timeout: 60_000 }, async () => {
    const riley = await backfilled();
    const verdicts = await verdictsOf(riley.id);
    const unmatched = verdicts.find((v) => v.reason === 'no_contact')!;
    const [keep, drop] = (await h.deps.db.contacts.toArray()).slice(0, 2).map((c) => c.id) as [string, string];
    // Decided without waking an engine: the writes wait in the outbox with both contacts.
    await decideThread(h.engineDeps, { mailboxId: riley.id, threadKey: unmatched.threadKey, contactIds: [keep, drop], dontSync: false });
    const { messages } = await answer('unlinkThreadContact', { mailboxId: riley.id, threadKey: unmatched.threadKey, contactId: drop });
    for (const state of messages) expect(state).toMatchObject({ state: 'waiting', contacts: [{ id: keep }] });
    // The handler woke the background's engine.
    await engineOf(h.deps).idle();
    const keys = new Set((await verdictsOf(riley.id)).filter((v) => v.threadKey === unmatched.threadKey).map((v) => v.key));
    const emails = (await h.crmEmails()).filter((e) => keys.has(e.message_id));
    expect(emails.length).toBeGreaterThan(0);
    for (const email of emails) expect(email.contact_ids).toEqual([keep]);

    const message = (await storedMessages(riley.id)).find((m) => m.providerId === unmatched.providerId)!;
    const replyId = await replyTo(riley, message, 'someone@stranger.test', 'Re: after the unlink');
    const replyKey = (await verdictsOf(riley.id)).find((v) => v.providerId === replyId)!.key;
    expect((await h.crmEmails()).find((e) => e.message_id === replyKey)).toMatchObject({ contact_ids: [keep] });

    // Unlinking a contact the thread is not linked to: said plainly, nothing changes.
    expect(await send('unlinkThreadContact', { mailboxId: riley.id, threadKey: unmatched.threadKey, contactId: drop })).toMatchObject({
      ok: false,
      error: { code: 'handler_failed', message: expect.stringMatching(/not linked to this conversation.*Reload the sidebar/) },
    });
  });
});

describe('unlinkThreadContact on skipped mail', () => {
  it('a contact shown on a skipped message (a personal mailbox) is accepted: the thread is decided without it', { timeout: 60_000 }, async () => {
    const sam = await h.connect('gmail', 'personal');
    await h.engine.backfill(sam.id, { days: 90, confirmed: true });
    await h.settle();
    const skipped = (await verdictsOf(sam.id)).find((v) => v.reason === 'personal_scope' && v.contactIds.length > 0)!;
    const [contactId] = skipped.contactIds as [string];
    const before = await h.crmEmails();
    const { messages } = await answer('unlinkThreadContact', { mailboxId: sam.id, threadKey: skipped.threadKey, contactId });
    expect(messages.length).toBeGreaterThan(0);
    for (const state of messages) expect(state.state).toBe('skipped');
    const view = await answer('getThreadView', { provider: 'gmail', threadKey: skipped.threadKey, participants: [] });
    expect(view.mailboxes[0]!.link).toMatchObject({ contacts: [] });
    await drain();
    expect(await h.crmEmails()).toEqual(before);
  });
});

describe('unlinkThreadContact races the engine', () => {
  it('a push that lands between the check and the decision is unlinked in the CRM too', { timeout: 60_000 }, async () => {
    const riley = await backfilled();
    const unmatched = (await verdictsOf(riley.id)).find((v) => v.reason === 'no_contact')!;
    const [keep, drop] = (await h.deps.db.contacts.toArray()).slice(0, 2).map((c) => c.id) as [string, string];
    await decideThread(h.engineDeps, { mailboxId: riley.id, threadKey: unmatched.threadKey, contactIds: [keep, drop], dontSync: false });
    // The engine fixes, sends and records the thread's writes after the unlink has looked at the
    // outbox (nothing pushed yet) and before its decision's transaction.
    let armed = true;
    const deps = {
      ...h.engineDeps,
      privacyRules: async () => {
        if (armed) {
          armed = false;
          await h.settle();
        }
        return h.engineDeps.privacyRules();
      },
    };
    const messages = await unlinkThreadContact(deps, { mailboxId: riley.id, threadKey: unmatched.threadKey, contactId: drop });
    expect(armed).toBe(false);
    const keys = new Set((await verdictsOf(riley.id)).filter((v) => v.threadKey === unmatched.threadKey).map((v) => v.key));
    const emails = (await h.crmEmails()).filter((e) => keys.has(e.message_id));
    expect(emails.length).toBeGreaterThan(0);
    for (const email of emails) expect(email.contact_ids).toEqual([keep]);
    for (const state of messages) expect(state.contacts.map((c) => c.id)).toEqual([keep]);
  });
});

describe('getContactTimeline', () => {
  it("answers the contact's CRM emails, newest first, limited; without a CRM, says to connect it", async () => {
    await backfilled();
    const contact = await contactWithMail();
    const inCrm = (await h.crmEmails()).filter((e) => e.contact_ids.includes(contact.id));
    expect(inCrm.length).toBeGreaterThan(2);
    const { emails } = await answer('getContactTimeline', { contactId: contact.id, limit: 20 });
    expect(emails.length).toBe(Math.min(20, inCrm.length));
    expect(new Set(emails.map((e) => e.id)).size).toBe(emails.length);
    for (const email of emails) expect(inCrm.map((e) => e.id)).toContain(email.id);
    expect(emails.map((e) => e.date)).toEqual([...emails.map((e) => e.date)].sort((a, b) => b - a));
    expect(emails[0]!.date).toBeGreaterThan(Date.now() - 400 * DAY);
    expect((await answer('getContactTimeline', { contactId: contact.id, limit: 1 })).emails).toEqual([emails[0]]);
    // A CRM that answers more than asked for: the answer keeps to the limit.
    const raw = await fetch(`${h.urls.crm}/public/v1/contacts/${encodeURIComponent(contact.id)}/emails?limit=100`, { headers: { authorization: 'Bearer crm_pat_demo' } });
    await h.crm.post('/faults', { service: 'crm', method: 'GET', path: '/emails$', rawBody: await raw.text() });
    expect((await answer('getContactTimeline', { contactId: contact.id, limit: 2 })).emails).toEqual(emails.slice(0, 2));
    await disconnectCrm(h.deps);
    expect(await send('getContactTimeline', { contactId: contact.id })).toMatchObject({ ok: false, error: { code: 'reauth_required', message: expect.stringMatching(/No CRM is connected/) } });
  });
});
