import { describe, expect, it, vi } from 'vitest';
import { engineOf } from '@/lib/background/engine';
import { createHandlers } from '@/lib/background/handlers';
import { mailboxProvider } from '@/lib/background/mailboxes';
import { getMailbox } from '@/lib/db';
import { providerError, TEST_EMAIL_SUBJECT_PREFIX } from '@/lib/domain';
import { readDisconnects } from '@/lib/platform';
import { dispatch, type Envelope, type Handlers, type MessageName, type MessageOutput, protocol } from '@/lib/messaging';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { optionsPage, trust } from '../../support/senders';

/**
 * "Send test email" (R31) and the checklist items it ticks (R32), and the replacement test asked
 * after a disconnect (R35), through the protocol against the emulators, with the background's own
 * engine (real clock): the handler asks it for the sync that brings the sent copy back.
 */
let h: EngineHarness;
let handlers: Handlers;

useEngineHarness(11, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

const SAFE = 'rep.test@example.com';
const SEND = { gmail: /\/gmail\/v1\/users\/me\/messages\/send$/, outlook: /\/v1\.0\/me\/sendMail$/ };

function envelope(name: MessageName, input: unknown): Promise<Envelope> {
  return dispatch(protocol, name, input, optionsPage, handlers, trust);
}

async function call<K extends MessageName>(name: K, input: unknown): Promise<MessageOutput<K>> {
  const answer = await envelope(name, input);
  if (!answer.ok) throw new Error(`${name} failed: ${answer.error.code} ${answer.error.message}`);
  return protocol[name].output.parse(answer.value) as MessageOutput<K>;
}

/** Waits for every job the background's engine started, then for a sync of the mailbox run to its end. */
async function syncOnce(mailboxId: string): Promise<void> {
  const engine = engineOf(h.deps);
  await engine.idle();
  await engine.syncNow(mailboxId);
  await engine.idle();
}

for (const provider of ['gmail', 'outlook'] as const) {
  const admin = () => (provider === 'gmail' ? h.google : h.microsoft);

  describe(`sendTestEmail on ${provider} (R31)`, () => {
    it('sends through the provider, ticks "test send", and "test receive" once sync brings the sent copy back', { timeout: 30_000 }, async () => {
      const mailbox = await h.connect(provider);
      const sent = await call('sendTestEmail', { mailboxId: mailbox.id, to: SAFE });
      expect(sent.testEmail).toEqual({ to: SAFE, subject: expect.stringMatching(new RegExp(`^${TEST_EMAIL_SUBJECT_PREFIX}[0-9a-f]{8}$`)), sentAt: expect.any(Number), providerId: provider === 'gmail' ? expect.any(String) : null, receivedAt: null });
      expect(sent.checklist.test_send).toEqual(sent.testEmail!.sentAt);
      expect(sent.checklist.test_receive).toBeUndefined();
      expect(await admin().requests(SEND[provider])).toHaveLength(1);

      // The sync the handler asked for brings it back.
      await engineOf(h.deps).idle();
      const back = (await getMailbox(h.deps.db, mailbox.id))!;
      expect(back.testEmail!.receivedAt).toEqual(expect.any(Number));
      expect(back.checklist.test_receive).toBe(back.testEmail!.receivedAt);
      const stored = await h.deps.db.messages.where('mailboxId').equals(mailbox.id).filter((m) => m.subject === sent.testEmail!.subject).toArray();
      expect(stored.map((m) => m.direction)).toEqual(['sent']);
    });

    it('a sent message with a similar subject, or another id, does not tick "test receive"', { timeout: 30_000 }, async () => {
      const mailbox = await h.connect(provider);
      await syncOnce(mailbox.id);
      const subject = `${TEST_EMAIL_SUBJECT_PREFIX}0000aaaa`;
      // Gmail answers the sent message's id: a copy is the test only under that id.
      const test = { to: SAFE, subject, sentAt: Date.now(), providerId: provider === 'gmail' ? 'not-the-sent-one' : null, receivedAt: null };
      await h.deps.db.mailboxes.update(mailbox.id, { testEmail: test, checklist: { test_send: test.sentAt } });
      const client = mailboxProvider(h.deps, mailbox);
      const lookalikes = provider === 'gmail' ? [subject, `Re: ${subject}`] : [`${TEST_EMAIL_SUBJECT_PREFIX}0000aaab`, `Re: ${subject}`, `${subject} `];
      for (const s of lookalikes) await client.sendTestEmail({ to: SAFE, subject: s, body: 'Not the test.' });
      await syncOnce(mailbox.id);
      const seen = await h.deps.db.messages.where('mailboxId').equals(mailbox.id).filter((m) => lookalikes.includes(m.subject ?? '')).count();
      expect(seen).toBe(lookalikes.length);
      const after = (await getMailbox(h.deps.db, mailbox.id))!;
      expect(after.testEmail).toEqual(test);
      expect(after.checklist.test_receive).toBeUndefined();
    });

    it('ticks "test receive" at once when a sync stored the sent copy while the provider was answering the send', { timeout: 30_000 }, async () => {
      const mailbox = await h.connect(provider);
      await syncOnce(mailbox.id);
      // The provider's answer to the send is held until a sync has run to its end: the page
      // committed then holds the sent copy, before the test is saved. (The sync runs on a second
      // engine over the same database: the held send keeps its place in this client's queue.)
      const realFetch = globalThis.fetch;
      let raced = false;
      const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
        const response = await realFetch(input, init);
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (!raced && SEND[provider].test(url.pathname)) {
          raced = true;
          const other = h.restarted();
          await other.engine.syncNow(mailbox.id);
          await other.engine.idle();
        }
        return response;
      });
      const sent = await call('sendTestEmail', { mailboxId: mailbox.id, to: SAFE }).finally(() => spy.mockRestore());
      expect(raced).toBe(true);
      const copies = await h.deps.db.messages.where('mailboxId').equals(mailbox.id).filter((m) => m.subject === sent.testEmail!.subject).count();
      expect(copies).toBe(1);
      expect(sent.testEmail!.receivedAt).toBe(sent.testEmail!.sentAt);
      expect(sent.checklist.test_receive).toBe(sent.testEmail!.sentAt);
      await engineOf(h.deps).idle();
      expect((await getMailbox(h.deps.db, mailbox.id))!.checklist.test_receive).toBe(sent.testEmail!.sentAt);
    });

    it('is refused in plain words, before sending, when the mailbox syncs only labels or folders without Sent', async () => {
      const mailbox = await h.connect(provider);
      const [inbox, sentFolder] = provider === 'gmail' ? ['INBOX', 'SENT'] : ['inbox', 'sentitems'];
      await call('setSyncOnly', { mailboxId: mailbox.id, only: [inbox] });
      const answer = await envelope('sendTestEmail', { mailboxId: mailbox.id, to: SAFE });
      expect(answer).toMatchObject({ ok: false, error: { code: 'handler_failed', message: expect.stringMatching(new RegExp(`^No test email was sent: ${mailbox.address} syncs only the (labels|folders) you chose, and the Sent .+ is not among them, so the sent copy could never come back`)) } });
      expect(await admin().requests(SEND[provider])).toEqual([]);
      // To the mailbox itself, the copy comes back in the Inbox; with Sent synced, from anywhere.
      expect((await call('sendTestEmail', { mailboxId: mailbox.id, to: mailbox.address })).checklist.test_send).toEqual(expect.any(Number));
      await engineOf(h.deps).idle();
      expect((await getMailbox(h.deps.db, mailbox.id))!.checklist.test_receive).toEqual(expect.any(Number));
      await call('setSyncOnly', { mailboxId: mailbox.id, only: [inbox, sentFolder] });
      expect((await call('sendTestEmail', { mailboxId: mailbox.id, to: SAFE })).checklist.test_send).toEqual(expect.any(Number));
      await engineOf(h.deps).idle();
    });

    it('is refused, with the fix, while the mailbox needs the user; nothing is sent', async () => {
      const mailbox = await h.connect(provider);
      const lastError = providerError('reauth_required', provider).toJSON();
      await h.deps.db.mailboxes.update(mailbox.id, { status: 'reconnect_needed', lastError });
      const answer = await envelope('sendTestEmail', { mailboxId: mailbox.id, to: SAFE });
      expect(answer).toEqual({ ok: false, error: { code: 'reauth_required', action: 'reconnect', retryable: false, message: `No test email was sent: ${mailbox.address} needs attention first. ${lastError.message}` } });
      expect(await admin().requests(SEND[provider])).toEqual([]);
      expect((await getMailbox(h.deps.db, mailbox.id))!.testEmail).toBeNull();
    });
  });
}

describe('the replacement test after a disconnect (R35)', () => {
  it('asks each mailbox still connected for a test send until one comes back through sync', { timeout: 30_000 }, async () => {
    const gmail = await h.connect('gmail');
    const outlook = await h.connect('outlook');
    expect((await call('getReviewPrompts', {})).prompts.filter((p) => p.kind === 'replacement_test')).toEqual([]);

    await call('disconnectMailbox', { id: outlook.id });
    const { prompts } = await call('getReviewPrompts', {});
    const replacement = prompts.filter((p) => p.kind === 'replacement_test');
    expect(replacement).toEqual([expect.objectContaining({ mailboxId: gmail.id, action: 'send_test', id: expect.stringMatching(new RegExp(`^replacement_test:${gmail.id}:${outlook.id}:\\d+$`)), message: expect.stringContaining(`${outlook.address} was disconnected`) })]);

    // A test sent but not back yet does not answer it.
    await h.deps.db.mailboxes.update(gmail.id, { testEmail: { to: SAFE, subject: `${TEST_EMAIL_SUBJECT_PREFIX}0000aaaa`, sentAt: Date.now(), providerId: null, receivedAt: null } });
    expect((await call('getReviewPrompts', {})).prompts.map((p) => p.id)).toContain(replacement[0]!.id);
    await call('sendTestEmail', { mailboxId: gmail.id, to: SAFE });
    await engineOf(h.deps).idle();
    expect((await getMailbox(h.deps.db, gmail.id))!.checklist.test_receive).toEqual(expect.any(Number));
    expect((await call('getReviewPrompts', {})).prompts.filter((p) => p.kind === 'replacement_test')).toEqual([]);
  });

  it('in the usual order, disconnect then connect, asks the replacement until its test comes back', { timeout: 30_000 }, async () => {
    const gmail = await h.connect('gmail');
    await call('disconnectMailbox', { id: gmail.id });
    expect(await readDisconnects()).toEqual([expect.objectContaining({ mailboxId: gmail.id, address: gmail.address })]);
    const outlook = await h.connect('outlook');
    const replacement = (await call('getReviewPrompts', {})).prompts.filter((p) => p.kind === 'replacement_test');
    expect(replacement).toEqual([expect.objectContaining({ mailboxId: outlook.id, action: 'send_test', message: expect.stringContaining(`${gmail.address} was disconnected`) })]);
    await call('sendTestEmail', { mailboxId: outlook.id, to: SAFE });
    await engineOf(h.deps).idle();
    expect((await call('getReviewPrompts', {})).prompts.filter((p) => p.kind === 'replacement_test')).toEqual([]);
  });
});
