import { expect, describe, it } from 'vitest';
import { disconnectCrm } from '@/lib/background/crm-connection';
import { createHandlers } from '@/lib/background/handlers';
import { dispatch, type Envelope, type Handlers, type MessageName, protocol } from '@/lib/messaging';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { optionsPage, trust } from '../../support/senders';

/** "Test connection" (R8) against the CRM emulator, over the protocol as the options page sends it. */
let h: EngineHarness;
let handlers: Handlers;

useEngineHarness(11, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

function send(name: MessageName, input: unknown): Promise<Envelope> {
  return dispatch(protocol, name, input, optionsPage, handlers, trust);
}

describe('testCrmConnection (R8)', () => {
  it('answers who GET /me says the stored connection signs in as', async () => {
    const before = (await h.crm.requests()).at(-1)?.seq ?? 0;
    const envelope = await send('testCrmConnection', {});
    expect(envelope).toEqual({ ok: true, value: { baseUrl: h.urls.crm, name: 'Riley Rep', email: 'riley@acme-sales.test' } });
    expect(protocol.testCrmConnection.output.parse(envelope.ok && envelope.value)).toBeTruthy();
    expect((await h.crm.requests(/\/public\/v1\/me$/, { since: before })).map((r) => r.status)).toEqual([200]);
  });

  it('says in plain words that no CRM is connected, with the action that fixes it', async () => {
    await disconnectCrm(h.deps);
    expect(await send('testCrmConnection', {})).toEqual({
      ok: false,
      error: { code: 'reauth_required', action: 'reconnect', retryable: false, message: expect.stringMatching(/^No CRM is connected\. Connect it under "CRM connection" in the options page, then test it\.$/) },
    });
  });

  it('a token the CRM refuses (401, again after a renewal) is reauth_required with "reconnect"', async () => {
    await h.crm.fault({ path: '/public/v1/me$', status: 401, count: 2 });
    expect(await send('testCrmConnection', {})).toMatchObject({ ok: false, error: { code: 'reauth_required', action: 'reconnect', retryable: false } });
    // Once the CRM accepts it again, the test passes: nothing was forgotten on the way.
    expect(await send('testCrmConnection', {})).toMatchObject({ ok: true, value: { email: 'riley@acme-sales.test' } });
  });

  it('a CRM that lacks the scope says so, and asks for the access', async () => {
    await h.crm.fault({ path: '/public/v1/me$', status: 403, count: 1 });
    expect(await send('testCrmConnection', {})).toMatchObject({ ok: false, error: { code: 'insufficient_permissions', action: 'grant_permission' } });
  });
});
