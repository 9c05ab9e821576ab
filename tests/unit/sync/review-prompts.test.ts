import { describe, expect, it } from 'vitest';
import { addRun, putMailbox } from '@/lib/db';
import { type Mailbox, providerError, type SyncRun } from '@/lib/domain';
import { DUPLICATE_RATE, dismissPrompt, type PromptMemory, reviewPrompts, STALE_SYNC_MS } from '@/lib/sync/review-prompts';
import { aMailbox, aSyncRun } from '../../fixtures/domain';
import { useFreshDatabase } from '../../support/database';

const db = useFreshDatabase();
const NOW = Date.parse('2026-11-25T12:00:00Z');
const HOUR = 60 * 60_000;
const empty = (): PromptMemory => ({ dismissed: {}, owners: {} });

/** A mailbox that synced an hour ago and raises nothing on its own. */
function quiet(overrides: Partial<Mailbox> = {}): Mailbox {
  return aMailbox({ lastSyncedAt: NOW - HOUR, ...overrides });
}

async function promptsFor(mailboxes: Mailbox[], runs: SyncRun[] = [], memory = empty(), now = NOW) {
  for (const mailbox of mailboxes) await putMailbox(db(), mailbox);
  for (const run of runs) await addRun(db(), run);
  return reviewPrompts(db(), memory, now);
}

const kinds = (result: Awaited<ReturnType<typeof reviewPrompts>>) => result.prompts.map((p) => p.kind);

describe('reviewPrompts (R33)', () => {
  it('raises nothing for a healthy mailbox', async () => {
    expect((await promptsFor([quiet()])).prompts).toEqual([]);
  });

  describe('no successful sync for 24 h', () => {
    it('prompts "customer emails stopped syncing" after 24 h without a sync, with Sync now', async () => {
      const result = await promptsFor([quiet({ lastSyncedAt: NOW - STALE_SYNC_MS - 1 })]);
      expect(result.prompts).toEqual([
        { id: `stale_sync:gmail:rep@acme-sales.test:${NOW - STALE_SYNC_MS - 1}`, mailboxId: 'gmail:rep@acme-sales.test', kind: 'stale_sync', message: expect.stringMatching(/^Customer emails stopped syncing: rep@acme-sales.test/), action: 'sync_now', runId: null },
      ]);
    });

    it('does not prompt at 24 h exactly', async () => {
      expect(kinds(await promptsFor([quiet({ lastSyncedAt: NOW - STALE_SYNC_MS })]))).toEqual([]);
    });

    it('counts from the connection when the mailbox never synced', async () => {
      const created = NOW - STALE_SYNC_MS - HOUR;
      expect(kinds(await promptsFor([quiet({ lastSyncedAt: null, createdAt: created })]))).toEqual(['stale_sync']);
      expect(kinds(await reviewPrompts(db(), empty(), created + HOUR))).toEqual([]);
    });
  });

  describe('auth or permission errors', () => {
    it('prompts to reconnect after a sign-in the provider refused', async () => {
      const error = { ...providerError('reauth_required', 'gmail').toJSON(), at: NOW - HOUR };
      const result = await promptsFor([quiet({ status: 'reconnect_needed', lastError: error })]);
      expect(result.prompts).toEqual([expect.objectContaining({ kind: 'provider_access', action: 'reconnect', id: `provider_access:gmail:rep@acme-sales.test:${NOW - HOUR}`, message: expect.stringContaining(error.message) })]);
    });

    it('prompts to grant access after a permission error', async () => {
      const error = providerError('insufficient_permissions', 'gmail').toJSON();
      expect((await promptsFor([quiet({ status: 'error', lastError: error })])).prompts).toEqual([expect.objectContaining({ kind: 'provider_access', action: 'grant_permission' })]);
    });

    it('does not prompt for errors that are not about access', async () => {
      const error = providerError('network', 'gmail').toJSON();
      expect(kinds(await promptsFor([quiet({ status: 'error', lastError: error })]))).toEqual([]);
    });
  });

  describe('a duplicate rate above 2 % in a run', () => {
    const run = (id: string, fetched: number, duplicates: number, overrides: Partial<SyncRun> = {}) =>
      aSyncRun({ id, status: 'succeeded', finishedAt: NOW - HOUR, startedAt: NOW - 2 * HOUR, counts: { ...aSyncRun().counts, fetched, duplicates }, ...overrides });

    it('prompts for the run, with its rate', async () => {
      const result = await promptsFor([quiet()], [run('r1', 100, 3)]);
      expect(result.prompts).toEqual([expect.objectContaining({ kind: 'duplicates', id: 'duplicates:r1', runId: 'r1', action: 'review_run', message: expect.stringMatching(/^3 % of the messages of the last backfill/) })]);
    });

    it(`does not prompt at ${DUPLICATE_RATE * 100} % or below, nor for previews and running runs`, async () => {
      const result = await promptsFor([quiet()], [run('r1', 100, 2), run('p', 100, 50, { kind: 'preview', startedAt: NOW - HOUR }), run('r2', 100, 50, { status: 'running', finishedAt: null, startedAt: NOW - 30 * 60_000 })]);
      expect(kinds(result)).toEqual([]);
    });

    it('keeps prompting after a later run without duplicates, until dismissed', async () => {
      const result = await promptsFor([quiet()], [run('r1', 100, 10), run('r2', 5, 0, { kind: 'sync', startedAt: NOW - HOUR / 2 })]);
      expect(result.prompts.map((p) => p.runId)).toEqual(['r1']);
    });

    it('prompts for the newest run above the rate', async () => {
      const result = await promptsFor([quiet()], [run('r1', 100, 10), run('r2', 40, 4, { kind: 'sync', startedAt: NOW - HOUR / 2 })]);
      expect(result.prompts.map((p) => p.runId)).toEqual(['r2']);
    });
  });

  describe('a replacement test after a disconnect (R35)', () => {
    const OUTLOOK = 'outlook:support@acme-sales.test';
    const gone = { mailboxId: 'gmail:old@acme-sales.test', address: 'old@acme-sales.test', at: NOW - HOUR };
    const remaining = () => [quiet(), quiet({ id: OUTLOOK, provider: 'outlook', address: 'support@acme-sales.test' })];
    const test = (sentAt: number, receivedAt: number | null) => ({ to: 'me@example.com', subject: 'Mailbox to CRM test · 1a2b3c4d', sentAt, providerId: null, receivedAt });

    it('asks each mailbox still connected for a test send, naming the disconnect', async () => {
      for (const mailbox of remaining()) await putMailbox(db(), mailbox);
      const result = await reviewPrompts(db(), empty(), NOW, [gone]);
      expect(result.prompts).toEqual([
        { id: `replacement_test:gmail:rep@acme-sales.test:${gone.mailboxId}:${gone.at}`, mailboxId: 'gmail:rep@acme-sales.test', kind: 'replacement_test', action: 'send_test', runId: null, message: expect.stringMatching(/^old@acme-sales.test was disconnected. Send a test email from rep@acme-sales.test/) },
        expect.objectContaining({ id: `replacement_test:${OUTLOOK}:${gone.mailboxId}:${gone.at}`, mailboxId: OUTLOOK, kind: 'replacement_test' }),
      ]);
    });

    it('stops once a test sent after the disconnect came back through sync', async () => {
      await putMailbox(db(), quiet({ testEmail: test(gone.at + 1, gone.at + 2) }));
      expect(kinds(await reviewPrompts(db(), empty(), NOW, [gone]))).toEqual([]);
    });

    it('keeps asking while the test has not come back, or when it was sent before the disconnect', async () => {
      await putMailbox(db(), quiet({ testEmail: test(gone.at + 1, null) }));
      expect(kinds(await reviewPrompts(db(), empty(), NOW, [gone]))).toEqual(['replacement_test']);
      await putMailbox(db(), quiet({ testEmail: test(gone.at - 10, gone.at - 5) }));
      expect(kinds(await reviewPrompts(db(), empty(), NOW, [gone]))).toEqual(['replacement_test']);
    });

    it('asks the replacement connected after the disconnect, in the usual order (disconnect, then connect)', async () => {
      await putMailbox(db(), quiet({ createdAt: gone.at + 1 }));
      expect((await reviewPrompts(db(), empty(), NOW, [gone])).prompts).toEqual([expect.objectContaining({ id: `replacement_test:gmail:rep@acme-sales.test:${gone.mailboxId}:${gone.at}`, kind: 'replacement_test', action: 'send_test' })]);
      await putMailbox(db(), quiet({ createdAt: gone.at + 1, testEmail: test(gone.at + 2, gone.at + 3) }));
      expect(kinds(await reviewPrompts(db(), empty(), NOW, [gone]))).toEqual([]);
    });

    it('asks nothing of a mailbox connected after a replacement test came back', async () => {
      await putMailbox(db(), quiet({ createdAt: gone.at + 1, testEmail: test(gone.at + 2, gone.at + 3) }));
      await putMailbox(db(), quiet({ id: OUTLOOK, provider: 'outlook', address: 'support@acme-sales.test', createdAt: gone.at + 4 }));
      expect(kinds(await reviewPrompts(db(), empty(), NOW, [gone]))).toEqual([]);
    });

    it('asks nothing of the disconnected mailbox connected again', async () => {
      await putMailbox(db(), quiet({ createdAt: NOW - 1 }));
      expect(kinds(await reviewPrompts(db(), empty(), NOW, [{ ...gone, mailboxId: 'gmail:rep@acme-sales.test', address: 'rep@acme-sales.test', at: NOW - 2 }]))).toEqual([]);
    });

    it('asks every replacement connected before any test came back', async () => {
      await putMailbox(db(), quiet({ createdAt: gone.at + 1, testEmail: test(gone.at + 2, null) }));
      await putMailbox(db(), quiet({ id: OUTLOOK, provider: 'outlook', address: 'support@acme-sales.test', createdAt: gone.at + 4 }));
      expect(kinds(await reviewPrompts(db(), empty(), NOW, [gone]))).toEqual(['replacement_test', 'replacement_test']);
    });

    it('follows the latest disconnect: a test after an earlier one does not answer a later one', async () => {
      const later = { mailboxId: 'outlook:gone@acme-sales.test', address: 'gone@acme-sales.test', at: NOW - 10 };
      await putMailbox(db(), quiet({ testEmail: test(gone.at + 1, gone.at + 2) }));
      const result = await reviewPrompts(db(), empty(), NOW, [gone, later]);
      expect(result.prompts.map((p) => p.id)).toEqual([`replacement_test:gmail:rep@acme-sales.test:${later.mailboxId}:${later.at}`]);
    });

    it('once dismissed, stays quiet for that disconnect only', async () => {
      const first = await promptsFor([quiet()], [], empty(), NOW);
      expect(first.prompts).toEqual([]);
      const raised = await reviewPrompts(db(), first.memory, NOW, [gone]);
      const memory = dismissPrompt(raised.memory, raised.prompts[0]!, null, NOW);
      expect((await reviewPrompts(db(), memory, NOW, [gone])).prompts).toEqual([]);
      expect(kinds(await reviewPrompts(db(), memory, NOW, [gone, { ...gone, mailboxId: 'outlook:x@acme-sales.test', address: 'x@acme-sales.test', at: NOW }]))).toEqual(['replacement_test']);
    });
  });

  describe('owners', () => {
    it('prompts when the owner is another account than the signed-in mailbox', async () => {
      const result = await promptsFor([quiet({ kind: 'shared', owner: 'Dana.Owner@acme-sales.test', recoveryNote: 'IT vault' })]);
      expect(result.prompts).toEqual([expect.objectContaining({ kind: 'owner_account', action: 'review_owner', id: 'owner_account:gmail:rep@acme-sales.test:dana.owner@acme-sales.test' })]);
    });

    it.each([
      ['the same address in another case', 'REP@acme-sales.test'],
      ['an alias of the mailbox', 'rep.sales@acme-sales.test'],
      ['a name, not an address', 'Dana Owner'],
    ])('does not prompt for an owner written as %s', async (_, owner) => {
      const mailbox = quiet({ owner, identity: { displayName: 'Rep', replyTo: null, aliases: ['rep.sales@acme-sales.test'] } });
      expect(kinds(await promptsFor([mailbox]))).toEqual([]);
    });

    it('folds Gmail dots and +tags when comparing', async () => {
      const mailbox = quiet({ id: 'gmail:dana.owner@gmail.com', address: 'dana.owner@gmail.com', owner: 'DanaOwner+crm@googlemail.com' });
      expect(kinds(await promptsFor([mailbox]))).toEqual([]);
    });

    it('remembers the owner of a mailbox seen for the first time, and prompts once it changes', async () => {
      const first = await promptsFor([quiet({ owner: 'Dana' })]);
      expect(first.prompts).toEqual([]);
      expect(first.memory.owners).toEqual({ 'gmail:rep@acme-sales.test': 'Dana' });
      await putMailbox(db(), quiet({ owner: 'Sam' }));
      const changed = await reviewPrompts(db(), first.memory, NOW);
      expect(changed.prompts).toEqual([expect.objectContaining({ kind: 'owner_changed', id: 'owner_changed:gmail:rep@acme-sales.test:Sam', action: 'review_owner', message: expect.stringContaining('changed to Sam') })]);
      expect(changed.memory.owners).toEqual(first.memory.owners);
    });
  });
});

describe('dismissPrompt (R33)', () => {
  it('hides that occurrence only: a new error prompts again', async () => {
    const error = (at: number) => ({ ...providerError('reauth_required', 'gmail').toJSON(), at });
    const first = await promptsFor([quiet({ status: 'reconnect_needed', lastError: error(NOW - 2 * HOUR) })]);
    const memory = dismissPrompt(first.memory, first.prompts[0]!, null, NOW);
    expect(memory.dismissed).toEqual({ [first.prompts[0]!.id]: NOW });
    expect((await reviewPrompts(db(), memory, NOW)).prompts).toEqual([]);
    await putMailbox(db(), quiet({ status: 'reconnect_needed', lastError: error(NOW - HOUR) }));
    expect(kinds(await reviewPrompts(db(), memory, NOW))).toEqual(['provider_access']);
  });

  it('hides a stale sync until the mailbox goes stale again after a later sync', async () => {
    const stale = await promptsFor([quiet({ lastSyncedAt: NOW - 25 * HOUR })]);
    const memory = dismissPrompt(stale.memory, stale.prompts[0]!, null, NOW);
    expect((await reviewPrompts(db(), memory, NOW + HOUR)).prompts).toEqual([]);
    await putMailbox(db(), quiet({ lastSyncedAt: NOW }));
    expect(kinds(await reviewPrompts(db(), memory, NOW + 25 * HOUR))).toEqual(['stale_sync']);
  });

  it('an owner change dismissed counts as reviewed: the new owner is remembered, a further change prompts again', async () => {
    const seen = await promptsFor([quiet({ owner: 'Dana' })]);
    await putMailbox(db(), quiet({ owner: 'Sam' }));
    const changed = await reviewPrompts(db(), seen.memory, NOW);
    const memory = dismissPrompt(changed.memory, changed.prompts[0]!, 'Sam', NOW);
    expect(memory.owners).toEqual({ 'gmail:rep@acme-sales.test': 'Sam' });
    expect((await reviewPrompts(db(), memory, NOW)).prompts).toEqual([]);
    await putMailbox(db(), quiet({ owner: 'Alex' }));
    expect(kinds(await reviewPrompts(db(), memory, NOW))).toEqual(['owner_changed']);
  });

  it('leaves the remembered owners alone for other prompts', () => {
    const memory: PromptMemory = { dismissed: {}, owners: { m: 'Dana' } };
    expect(dismissPrompt(memory, { id: 'duplicates:r1', kind: 'duplicates', mailboxId: 'm' }, 'Sam', NOW)).toEqual({ dismissed: { 'duplicates:r1': NOW }, owners: { m: 'Dana' } });
  });
});
