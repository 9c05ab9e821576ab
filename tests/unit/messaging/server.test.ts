import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type Handlers, MessagingError, protocolListener, sendToBackground, type Sender, type Trust } from '@/lib/messaging';
import { onRuntimeMessage } from '@/lib/platform';
import { careHandlerStubs, sidebarHandlerStubs, syncHandlerStubs } from '../../support/handler-stubs';

/** The background's wiring (`lib/background/start.ts`) on WXT's fake browser. */
const trust: Trust = { extensionId: fakeBrowser.runtime.id, extensionOrigin: `chrome-extension://${fakeBrowser.runtime.id}`, contentScriptMatches: [] };
const popup: Sender = { id: trust.extensionId, url: `${trust.extensionOrigin}/popup.html` };
const overview = { mailboxes: [], crm: { baseUrl: null, authMethod: null, defaultBaseUrl: '' }, oauthRedirectUrls: { google: 'https://x.chromiumapp.org/google', microsoft: 'https://x.chromiumapp.org/microsoft', crm: 'https://x.chromiumapp.org/crm' }, lastConnectFailure: null };

function handlers() {
  const unused = vi.fn(async (): Promise<never> => {
    throw new Error('not called in these tests');
  });
  return {
    getOverview: vi.fn(async () => overview),
    connectMailbox: unused,
    dismissConnectFailure: unused,
    reconnectMailbox: unused,
    disconnectMailbox: unused,
    connectCrm: unused,
    disconnectCrm: unused,
    ...syncHandlerStubs(unused),
    ...sidebarHandlerStubs(unused),
    ...careHandlerStubs(unused),
  } satisfies Handlers;
}

/** What `@webext-core/messaging`'s `sendMessage` puts on the wire. */
const wire = (type: string, data: unknown = {}) => ({ id: 1, type, data, timestamp: Date.now() });

/** Delivers one message to the background's listeners as Chrome does: whether one answered, and its answer. */
async function deliver(message: unknown, sender: Sender = popup): Promise<{ answered: boolean; answer: unknown }> {
  let answer: unknown;
  const results = await fakeBrowser.runtime.onMessage.trigger(message, sender as Browser.runtime.MessageSender, (value: unknown) => {
    answer = value;
  });
  // Chrome's contract: a listener that will answer later returns true (the fake's typing says otherwise).
  const answered = (results as unknown[]).some((result) => result === true);
  if (answered) await vi.waitFor(() => expect(answer).toBeDefined());
  return { answered, answer };
}

let h: ReturnType<typeof handlers>;
beforeEach(() => {
  fakeBrowser.reset();
  h = handlers();
  onRuntimeMessage(protocolListener(h, trust));
});
afterEach(() => vi.unstubAllGlobals());

describe('the background listener', () => {
  it('answers a protocol message in the wire format', async () => {
    expect(await deliver(wire('getOverview'))).toEqual({ answered: true, answer: { res: { ok: true, value: overview } } });
    expect(h.getOverview).toHaveBeenCalledOnce();
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'unknownMessage'])(
    'drops a message named %s unanswered: not an own key of the protocol',
    async (type) => {
      expect(await deliver(wire(type))).toEqual({ answered: false, answer: undefined });
      for (const handler of Object.values(h)) expect(handler).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['no type', { id: 1, data: {}, timestamp: 1 }],
    ['a type that is not a string', { id: 1, type: ['getOverview'], data: {}, timestamp: 1 }],
    ['a string', 'getOverview'],
    ['null', null],
  ])('drops a message with %s', async (_, message) => {
    expect(await deliver(message)).toEqual({ answered: false, answer: undefined });
    expect(h.getOverview).not.toHaveBeenCalled();
  });

  it("speaks the client's wire format: sendToBackground gets the typed error, with its code and fix", async () => {
    // @webext-core/messaging sends through the global `chrome`; the fake browser's sender is empty.
    vi.stubGlobal('chrome', fakeBrowser);
    const error = await sendToBackground('getOverview', {}).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MessagingError);
    expect(error).toMatchObject({ code: 'forbidden_sender', action: 'none', retryable: false });
    expect(h.getOverview).not.toHaveBeenCalled();
  });

  it('turns a message nobody answers into a retryable no_answer error', async () => {
    vi.stubGlobal('chrome', fakeBrowser);
    fakeBrowser.reset();
    await expect(sendToBackground('getOverview', {})).rejects.toMatchObject({ name: 'MessagingError', code: 'no_answer', action: 'retry', retryable: true });
  });
});
