import { describe, expect, it } from 'vitest';
import type { Policy } from '@/emulators/seed/policy';
import { createHandlers } from '@/lib/background/handlers';
import type { Message, PrivacyRules } from '@/lib/domain';
import { dispatch, type Handlers, protocol } from '@/lib/messaging';
import { privacyRulesItem, readPrivacyRules, savePrivacyRules } from '@/lib/platform';
import { domainOf } from '@/lib/matching/address';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { optionsPage, trust } from '../../support/senders';

/**
 * Saving the privacy rules (R21) from the options page: what is stored but not yet sent obeys
 * them at once; what the CRM already has stays. Checked against the emulators' ground truth under
 * the same policy.
 */
let h: EngineHarness;
let handlers: Handlers;
const DAY = 24 * 60 * 60_000;
const WINDOW_DAYS = 180;
const CRM_PUSH = 'emails/batch$';

useEngineHarness(13, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

async function fromOptions(name: 'getPrivacyRules' | 'savePrivacyRules', input: unknown): Promise<PrivacyRules> {
  const envelope = await dispatch(protocol, name, input, optionsPage, handlers, trust);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.message}`);
  return protocol[name].output.parse(envelope.value);
}

async function storedMessages(mailboxId: string): Promise<Message[]> {
  return (await h.deps.db.messages.where('mailboxId').equals(mailboxId).toArray()) as Message[];
}

/** The external domains of the messages the ground truth pushes, most frequent first (no webmail domains). */
function pushedDomains(messages: readonly Message[], pushed: ReadonlySet<string>, workspace: string): string[] {
  const counts = new Map<string, number>();
  for (const m of messages.filter((m) => pushed.has(m.providerId))) {
    for (const d of new Set(m.participants.map(domainOf))) if (d !== workspace && d !== 'gmail.com') counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([d]) => d);
}

describe('privacy rules from the options page (R21)', { timeout: 30_000 }, () => {
  it('reads the stored rules, and refuses invalid ones field by field without saving them', async () => {
    const rules = await fromOptions('getPrivacyRules', {});
    expect(rules).toEqual(await readPrivacyRules());
    const envelope = await dispatch(protocol, 'savePrivacyRules', { ...rules, blockedAddresses: ['rival.test'] }, optionsPage, handlers, trust);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_payload', fields: { 'blockedAddresses.0': expect.stringMatching(/is a domain: add it under blocked domains/) } } });
    expect(await readPrivacyRules()).toEqual(rules);
  });

  it('an unreadable stored value reaches the options page in plain words with the way out, and a save replaces it', async () => {
    const rules = await readPrivacyRules();
    await privacyRulesItem.setValue({ ...rules, blockedDomains: 'rival.test' } as unknown as PrivacyRules);
    const envelope = await dispatch(protocol, 'getPrivacyRules', {}, optionsPage, handlers, trust);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'handler_failed', message: expect.stringMatching(/saved privacy rules could not be read.*saving replaces the unreadable rules/) } });
    expect(await fromOptions('savePrivacyRules', rules)).toEqual(rules);
    expect(await fromOptions('getPrivacyRules', {})).toEqual(rules);
  });

  it('withdraws pending writes a newly blocked domain or workspace domain excludes, with the R21a reason; the CRM receives exactly what the ground truth says', async () => {
    const mailbox = await h.connect('gmail');
    const since = h.clock - WINDOW_DAYS * DAY;
    // Everything the backfill queues waits in the outbox: the CRM refuses writes for now.
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 429, retryAfter: 3600, count: 10_000 });
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS, confirmed: true });
    for (let i = 0; i < 20 && (await h.deps.db.jobs.get(`${mailbox.id}/backfill`))?.status !== 'done'; i++) await h.round();
    const before = await h.truth(['riley'], since);
    const stored = await storedMessages(mailbox.id);
    const pushed = new Set(before.verdicts.filter((v) => v.push).map((v) => v.providerId));
    const policy = await h.google.get<Policy>('/policy');
    const [blocked, internal] = pushedDomains(stored, pushed, policy.workspaceDomains[0]!);
    expect(blocked && internal).toBeTruthy();
    const pendingBefore = await h.deps.db.outbox.where('status').equals('pending').count();
    expect(pendingBefore).toBe(before.crmEmails.length);

    // `blocked` is also made a workspace domain: R21a puts `blocked` before `internal_only`.
    const current = await fromOptions('getPrivacyRules', {});
    const saved = await fromOptions('savePrivacyRules', {
      ...current,
      workspaceDomains: [...current.workspaceDomains, ` ${internal!.toUpperCase()}`, blocked!],
      blockedDomains: [...current.blockedDomains, `@${blocked}`],
    });
    expect(saved.blockedDomains).toContain(blocked);
    expect(saved.workspaceDomains).toEqual([...current.workspaceDomains, internal, blocked]);
    await h.google.put('/policy', { workspaceDomains: saved.workspaceDomains, blockedDomains: saved.blockedDomains });

    const after = await h.truth(['riley'], since);
    const reasonOf = new Map(after.verdicts.map((v) => [v.providerId, v.reason]));
    const verdicts = await h.deps.db.verdicts.where('mailboxId').equals(mailbox.id).toArray();
    const changed = verdicts.filter((v) => pushed.has(v.providerId) && v.reason !== null);
    expect(new Set(changed.map((v) => v.reason))).toEqual(new Set(['blocked', 'internal_only']));
    // Every message that was waiting to be pushed now has the reason the ground truth gives (R21a's order).
    for (const v of verdicts.filter((v) => pushed.has(v.providerId))) expect(v.reason, v.providerId).toBe(reasonOf.get(v.providerId));
    const cancelled = await h.deps.db.outbox.where('status').equals('cancelled').toArray();
    expect(new Set(cancelled.map((e) => e.idempotencyKey))).toEqual(new Set(changed.map((v) => v.key)));

    await h.crm.delete('/faults');
    await h.settle();
    await h.expectCrmMatches(after.crmEmails);
    const received = await h.crmEmails();
    for (const email of received) expect(changed.map((v) => v.key)).not.toContain(email.message_id);
  });

  it('leaves what the CRM already has, and the verdicts of writes already made', async () => {
    const mailbox = await h.connect('gmail');
    const since = h.clock - WINDOW_DAYS * DAY;
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS, confirmed: true });
    await h.settle();
    const before = await h.truth(['riley'], since);
    const stored = await storedMessages(mailbox.id);
    const [blocked] = pushedDomains(stored, new Set(before.verdicts.filter((v) => v.push).map((v) => v.providerId)), 'acme-sales.test');
    const verdictsBefore = await h.deps.db.verdicts.toArray();
    const current = await fromOptions('getPrivacyRules', {});
    await fromOptions('savePrivacyRules', { ...current, blockedDomains: [...current.blockedDomains, blocked!] });
    expect(await h.deps.db.verdicts.toArray()).toEqual(verdictsBefore);
    await h.settle();
    await h.expectCrmMatches(before.crmEmails);
  });
});

describe('rules saved while the contact mirror walks the CRM (R20, R21)', { timeout: 30_000 }, () => {
  it('the next page of the mirror retro-matches under the new rules', async () => {
    const mailbox = await h.connect('gmail');
    const since = h.clock - WINDOW_DAYS * DAY;
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS, confirmed: true });
    await h.settle();
    const truth = await h.truth(['riley'], since);
    const stored = await storedMessages(mailbox.id);
    const unmatched = stored.find((m) => truth.verdicts.some((v) => v.providerId === m.providerId && v.reason === 'no_contact'))!;
    const address = unmatched.participants.find((p) => domainOf(p) !== 'acme-sales.test')!;
    expect(address).toBeTruthy();

    // A page of 100 other new contacts first, then the one the unmatched mail is from.
    const at = new Date(h.clock + 60_000).toISOString();
    for (let i = 0; i < 100; i++) await h.crm.post('/crm/contacts', { name: `Filler ${i}`, email: `filler${i}@fillers.test`, updated_at: at });
    await h.crm.post('/crm/contacts', { name: 'Now known', email: address, updated_at: new Date(h.clock + 120_000).toISOString() });

    // The rules change while the mirror stores its first page.
    const read = h.engineDeps.privacyRules;
    let calls = 0;
    h.engineDeps.privacyRules = async () => {
      const rules = await read();
      if (calls++ === 0) await savePrivacyRules({ ...rules, blockedDomains: [...rules.blockedDomains, domainOf(address)] });
      return rules;
    };
    h.clock += 6 * 60_000;
    await h.settle();
    expect(calls).toBeGreaterThan(1);
    const [verdict] = await h.deps.db.verdicts.bulkGet([[mailbox.id, unmatched.providerId]]);
    expect(verdict).toMatchObject({ reason: 'blocked' });
    expect((await h.crmEmails()).map((e) => e.message_id)).not.toContain(verdict!.key);
  });
});
