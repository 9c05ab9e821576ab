import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { providerError } from '@/lib/domain';
import { dispatch, type Handlers, type HandlersOf, MessagingError, protocol, type ProtocolMap, type Sender, senderProblem, type Trust, UNEXPECTED_FAILURE, wireErrorSchema } from '@/lib/messaging';
import { WEBMAIL_MATCHES } from '@/lib/webmail/sites';
import { careHandlerStubs, type SidebarMessageName, sidebarHandlerStubs, type SyncMessageName, syncHandlerStubs } from '../../support/handler-stubs';

const trust: Trust = {
  extensionId: 'caciholiefihaajpdhopelakjjeojlim',
  extensionOrigin: 'chrome-extension://caciholiefihaajpdhopelakjjeojlim',
  contentScriptMatches: WEBMAIL_MATCHES,
};
const overview = { mailboxes: [], crm: { baseUrl: null, authMethod: null, defaultBaseUrl: '' }, oauthRedirectUrls: { google: 'https://caciholiefihaajpdhopelakjjeojlim.chromiumapp.org/google', microsoft: 'https://caciholiefihaajpdhopelakjjeojlim.chromiumapp.org/microsoft', crm: 'https://caciholiefihaajpdhopelakjjeojlim.chromiumapp.org/crm' }, lastConnectFailure: null };

const unused = async (): Promise<never> => {
  throw new Error('not called in these tests');
};

function handlers() {
  return {
    getOverview: vi.fn(async () => overview),
    connectMailbox: unused,
    dismissConnectFailure: unused,
    reconnectMailbox: unused,
    disconnectMailbox: vi.fn(async ({ id }: { id: string }) => ({ id, address: 'rep@acme-sales.test', provider: 'gmail' as const, revoked: true, removeAccessUrl: null, crmRecordError: null })),
    connectCrm: unused,
    disconnectCrm: unused,
    ...syncHandlerStubs(unused),
    ...sidebarHandlerStubs(unused),
    ...careHandlerStubs(unused),
    savePrivacyRules: vi.fn(unused),
  } satisfies Handlers;
}

const popup: Sender = { id: trust.extensionId, url: `${trust.extensionOrigin}/popup.html` };
const optionsInTab: Sender = { id: trust.extensionId, url: `${trust.extensionOrigin}/options.html`, tab: { id: 4 }, frameId: 0 };
const gmailContentScript: Sender = { id: trust.extensionId, url: 'https://mail.google.com/mail/u/0/#inbox', tab: { id: 7 }, frameId: 0 };
const outlookContentScript: Sender = { id: trust.extensionId, url: 'https://outlook.live.com/mail/0/inbox/id/AQMk', tab: { id: 8 }, frameId: 0 };

describe('senderProblem', () => {
  it.each([
    ['the popup', popup],
    ['the options page in a tab', optionsInTab],
    ['the Gmail content script', gmailContentScript],
    ['the Outlook content script', outlookContentScript],
  ])('trusts %s', (_, sender) => {
    expect(senderProblem(sender, trust)).toBeNull();
  });
});

describe('dispatch', () => {
  it.each([
    ['the popup', popup],
    ['the options page in a tab', optionsInTab],
  ])('answers %s', async (_, sender) => {
    const h = handlers();
    expect(await dispatch(protocol, 'getOverview', {}, sender, h, trust)).toEqual({ ok: true, value: overview });
    expect(h.getOverview).toHaveBeenCalledOnce();
  });

  it.each([
    ['another extension', { ...popup, id: 'abcdefghijklmnopabcdefghijklmnop' }],
    ['a sender without an id (web page via externally_connectable)', { url: 'https://evil.test/' }],
    ['our content script on a page outside webmail', { ...gmailContentScript, url: 'https://mail.google.com.evil.test/' }],
    ['a frame inside the webmail page', { ...gmailContentScript, frameId: 3 }],
    ['a sender without a URL', { id: trust.extensionId }],
    ['an extension-origin look-alike on http', { ...popup, url: `http://${trust.extensionId}/popup.html` }],
  ] satisfies [string, Sender][])('refuses %s with forbidden_sender, before the handler runs', async (_, sender) => {
    const h = handlers();
    const result = await dispatch(protocol, 'getOverview', {}, sender, h, trust);
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(h.getOverview).not.toHaveBeenCalled();
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'hello'],
    ['unexpected fields', { admin: true }],
  ])('refuses %s as payload with invalid_payload', async (_, payload) => {
    const h = handlers();
    const result = await dispatch(protocol, 'getOverview', payload, popup, h, trust);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    if (!result.ok) expect(result.error.message).toMatch(/^The request to "getOverview" was not valid: /);
    expect(h.getOverview).not.toHaveBeenCalled();
  });

  it('names each wrong field of an invalid payload with its own plain message, which the page gets back on its MessagingError', async () => {
    const h = handlers();
    const rules = { workspaceDomains: ['acme.test', 'not a domain'], blockedAddresses: ['@rival.test'], blockedDomains: [], excludedCategories: ['primary'] };
    const result = await dispatch(protocol, 'savePrivacyRules', rules, optionsInTab, h, trust);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_payload', action: 'none', retryable: false } });
    if (result.ok) return;
    expect(result.error.fields).toEqual({
      'workspaceDomains.1': expect.stringMatching(/is not a domain/),
      'blockedAddresses.0': expect.stringMatching(/is a domain: add it under blocked domains/),
      'excludedCategories.0': expect.stringMatching(/is not a Gmail category/),
    });
    const error = new MessagingError(wireErrorSchema.parse(result.error));
    expect(error.fields).toEqual(result.error.fields);
    expect(error.toWire()).toEqual(result.error);
    expect(h.savePrivacyRules).not.toHaveBeenCalled();
  });

  it('sends no fields for an error that is not about the input', () => {
    expect(MessagingError.of('handler_failed', 'x').toWire()).not.toHaveProperty('fields');
  });

  it('turns an untyped failure into handler_failed with fixed words, and keeps only its name in the console', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const failing: Handlers = {
      ...handlers(),
      getOverview: async () => {
        throw new TypeError('Failed to fetch https://crm.test/public/v1/me?access_token=secret');
      },
    };
    expect(await dispatch(protocol, 'getOverview', {}, popup, failing, trust)).toEqual({
      ok: false,
      error: { code: 'handler_failed', message: UNEXPECTED_FAILURE, action: 'none', retryable: false },
    });
    expect(warn).toHaveBeenCalledWith('[mailbox-crm] "getOverview" failed:', 'TypeError');
    expect(JSON.stringify(warn.mock.calls)).not.toContain('secret');
    warn.mockRestore();
  });

  it("sends a ProviderError's own code, plain message, fixing action and retryability", async () => {
    const failing: Handlers = {
      ...handlers(),
      getOverview: async () => {
        throw providerError('reauth_required', 'outlook');
      },
    };
    expect(await dispatch(protocol, 'getOverview', {}, popup, failing, trust)).toEqual({
      ok: false,
      error: { code: 'reauth_required', message: 'Outlook needs you to sign in again.', action: 'reconnect', retryable: false },
    });
  });

  it('lets only extension pages send account changes or read the overview; a webmail content script is refused', async () => {
    const h = handlers();
    for (const sender of [gmailContentScript, outlookContentScript]) {
      const result = await dispatch(protocol, 'disconnectMailbox', { id: 'gmail:rep@acme-sales.test' }, sender, h, trust);
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender', message: expect.stringMatching(/extension's own pages/) } });
      // The overview holds owners, recovery notes and errors of every mailbox: not for a webmail page.
      expect(await dispatch(protocol, 'getOverview', {}, sender, h, trust)).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    }
    expect(h.disconnectMailbox).not.toHaveBeenCalled();
    expect(h.getOverview).not.toHaveBeenCalled();
    expect(await dispatch(protocol, 'disconnectMailbox', { id: 'gmail:rep@acme-sales.test' }, optionsInTab, h, trust)).toEqual({
      ok: true,
      value: { id: 'gmail:rep@acme-sales.test', address: 'rep@acme-sales.test', provider: 'gmail', revoked: true, removeAccessUrl: null, crmRecordError: null },
    });
  });
});

describe('dispatch of a message content scripts may send', () => {
  // The protocol has no such message yet (the sidebar's come with the page readers), so a map with
  // one shows that the sender checks, not only `pagesOnly`, keep frames and other pages out.
  const withRead = { ...protocol, peek: { input: z.object({}).strict(), output: z.object({ seen: z.boolean() }) } } satisfies ProtocolMap;
  function readHandlers() {
    return { ...handlers(), peek: vi.fn(async () => ({ seen: true })) } satisfies HandlersOf<typeof withRead>;
  }

  it.each([
    ['the Gmail content script', gmailContentScript],
    ['the Outlook content script', outlookContentScript],
    ['the popup', popup],
  ])('answers %s', async (_, sender) => {
    const h = readHandlers();
    expect(await dispatch(withRead, 'peek', {}, sender, h, trust)).toEqual({ ok: true, value: { seen: true } });
  });

  it.each([
    ['a frame inside the webmail page', { ...gmailContentScript, frameId: 3 }],
    ['a frame without a frame id', { ...outlookContentScript, frameId: undefined }],
    ['our content script on a page outside webmail', { ...gmailContentScript, url: 'https://evil.test/mail.google.com/' }],
    ['a tab-less sender outside the extension', { id: trust.extensionId, url: 'https://mail.google.com/mail/u/0/' }],
  ] satisfies [string, Sender][])('refuses %s with forbidden_sender, before the handler runs', async (_, sender) => {
    const h = readHandlers();
    expect(await dispatch(withRead, 'peek', {}, sender, h, trust)).toMatchObject({ ok: false, error: { code: 'forbidden_sender', action: 'none', retryable: false } });
    expect(h.peek).not.toHaveBeenCalled();
  });
});

describe("dispatch of the engine's and the sidebar's messages", () => {
  type EngineMessageName = SyncMessageName | SidebarMessageName;
  /** A valid input of each engine message. */
  const valid: Record<EngineMessageName, unknown> = {
    syncNow: { mailboxId: 'gmail:rep@acme-sales.test' },
    requestSync: { provider: 'gmail' },
    backfill: { mailboxId: 'gmail:rep@acme-sales.test', days: 30 },
    preview: { mailboxId: 'gmail:rep@acme-sales.test', days: 30 },
    cancelJob: { jobId: 'gmail:rep@acme-sales.test/backfill' },
    undoRun: { mailboxId: 'gmail:rep@acme-sales.test', runId: 'run-1' },
    getJobs: {},
    getRuns: { mailboxId: 'gmail:rep@acme-sales.test' },
    getRunSample: { runId: 'run-1' },
    lookupMessages: { mailboxId: 'gmail:rep@acme-sales.test', text: 'renewal' },
    getThreadView: { provider: 'gmail', threadKey: '18f2a', participants: [{ name: 'Dana Buyer', address: 'dana@buyer.test' }] },
    searchContacts: { text: 'dana' },
    createContact: { name: 'Dana Buyer', email: 'dana@buyer.test', company: 'Buyer Inc' },
    unlinkThreadContact: { mailboxId: 'gmail:rep@acme-sales.test', threadKey: '18f2a', contactId: 'ct-1' },
    getContactTimeline: { contactId: 'ct-1' },
    setThreadDecision: { mailboxId: 'gmail:rep@acme-sales.test', threadKey: '18f2a', contactIds: ['ct-1'], dontSync: false },
    listFolders: { mailboxId: 'gmail:rep@acme-sales.test' },
    setSyncOnly: { mailboxId: 'gmail:rep@acme-sales.test', only: ['INBOX', 'Label_3'] },
    getReviewPrompts: {},
    dismissReviewPrompt: { id: 'stale_sync:gmail:rep@acme-sales.test:1' },
  };
  /** Inputs each message must refuse: wrong types, missing or unknown fields, out of range. */
  const invalid: Record<EngineMessageName, unknown[]> = {
    syncNow: [{ provider: 'gmail' }, { mailboxId: '' }, {}],
    requestSync: [{ provider: 'imap' }, { mailboxId: 'gmail:rep@acme-sales.test' }, { provider: 'gmail', all: true }],
    backfill: [{ mailboxId: 'm', days: 'all' }, { mailboxId: 'm' }, { mailboxId: 'm', days: 400 }, { mailboxId: 'm', days: 30, confirmed: 'yes' }],
    preview: [{ mailboxId: '', days: 30 }, { mailboxId: 'm', days: 0 }],
    cancelJob: [{}, { jobId: 7 }],
    undoRun: [{ mailboxId: 'm' }, { mailboxId: 'm', runId: '' }],
    getJobs: [{ all: true }, null],
    getRuns: [{}, { mailboxId: 'm', limit: 5 }],
    getRunSample: [{ runId: 'r', perContact: 500 }, { runId: 'r', perContact: 1.5 }, {}],
    lookupMessages: [{ mailboxId: 'm', text: ' a ' }, { mailboxId: 'm', text: 'x'.repeat(201) }, { mailboxId: 'm', text: 'hello', limit: 1000 }],
    getThreadView: [
      { provider: 'gmail', threadKey: 'x'.repeat(513), participants: [] },
      { provider: 'gmail', threadKey: '', participants: [] },
      { provider: 'gmail', threadKey: 't' },
      { provider: 'imap', threadKey: 't', participants: [] },
      { provider: 'gmail', threadKey: 't', participants: [], mailboxId: 'm' },
      { provider: 'gmail', threadKey: 't', participants: Array.from({ length: 201 }, () => ({ name: '', address: 'a@b.test' })) },
      { provider: 'gmail', threadKey: 't', participants: [{ name: 'x', address: 'a@b.test', subject: 'Hi' }] },
    ],
    searchContacts: [{ text: '   ' }, { text: 'x'.repeat(201) }, { text: 'dana', limit: 26 }, { text: 'dana', limit: 0 }],
    createContact: [{ name: ' ', email: 'dana@buyer.test' }, { name: 'Dana', email: 'not an address' }, { name: 'Dana', email: 'dana@buyer.test', contactId: 'ct-1' }, { name: 'Dana' }],
    unlinkThreadContact: [{ mailboxId: 'm', threadKey: 't' }, { mailboxId: 'm', threadKey: 't', contactId: '' }, { mailboxId: 'm', threadKey: 'x'.repeat(513), contactId: 'ct-1' }],
    getContactTimeline: [{ contactId: '' }, { contactId: 'ct-1', limit: 21 }, {}],
    setThreadDecision: [
      { mailboxId: 'm', threadKey: 't', contactIds: 'ct-1', dontSync: false },
      { mailboxId: 'm', threadKey: 't', contactIds: [] },
      { mailboxId: 'm', threadKey: 't', contactIds: Array.from({ length: 51 }, (_, i) => `ct-${i}`), dontSync: false },
    ],
    listFolders: [{}, { mailboxId: '' }],
    setSyncOnly: [{ mailboxId: 'm', only: [] }, { mailboxId: 'm', only: [''] }, { mailboxId: 'm' }, { mailboxId: 'm', only: 'INBOX' }],
    getReviewPrompts: [{ kind: 'stale_sync' }],
    dismissReviewPrompt: [{ id: '' }, { id: 'x'.repeat(501) }, {}],
  };
  const names = Object.keys(valid) as EngineMessageName[];
  const engineHandlers = () => ({ ...handlers(), ...Object.fromEntries(names.map((name) => [name, vi.fn(async () => ({ jobs: [] }))])) }) as unknown as Handlers;

  it('lets webmail content scripts send only requestSync', () => {
    const open = Object.entries(protocol).filter(([, spec]) => !('pagesOnly' in spec && spec.pagesOnly));
    expect(open.map(([name]) => name)).toEqual(['requestSync']);
  });

  it.each(names.filter((name) => name !== 'requestSync'))('refuses %s from a webmail content script with forbidden_sender, and answers the options page', async (name) => {
    for (const sender of [gmailContentScript, outlookContentScript]) {
      const h = engineHandlers();
      expect(await dispatch(protocol, name, valid[name], sender, h, trust)).toMatchObject({ ok: false, error: { code: 'forbidden_sender', message: expect.stringMatching(/extension's own pages/) } });
      expect(h[name]).not.toHaveBeenCalled();
    }
    const h = engineHandlers();
    expect(await dispatch(protocol, name, valid[name], optionsInTab, h, trust)).toMatchObject({ ok: true });
    expect(h[name]).toHaveBeenCalledOnce();
  });

  it.each(['requestSync'] as const)('accepts %s from the top frame of a webmail content script, and refuses it from a frame or another page', async (name) => {
    for (const sender of [gmailContentScript, outlookContentScript]) {
      const h = engineHandlers();
      expect(await dispatch(protocol, name, valid[name], sender, h, trust)).toMatchObject({ ok: true });
      expect(h[name]).toHaveBeenCalledWith(expect.objectContaining(valid[name] as object), sender);
    }
    for (const sender of [{ ...gmailContentScript, frameId: 2 }, { ...gmailContentScript, url: 'https://evil.test/' }]) {
      const h = engineHandlers();
      expect(await dispatch(protocol, name, valid[name], sender, h, trust)).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
      expect(h[name]).not.toHaveBeenCalled();
    }
  });

  /** The sidebar: the extension's own page in an iframe of the webmail tab (a frame, not the top one). */
  const sidebarFrame: Sender = { id: trust.extensionId, url: `${trust.extensionOrigin}/sidebar.html`, tab: { id: 7 }, frameId: 3 };
  const sidebarNames: SidebarMessageName[] = ['getThreadView', 'searchContacts', 'createContact', 'unlinkThreadContact', 'getContactTimeline'];

  it.each(sidebarNames)('accepts %s from the sidebar frame, and refuses it from the webmail page or its frames and from another extension', async (name) => {
    const h = engineHandlers();
    expect(await dispatch(protocol, name, valid[name], sidebarFrame, h, trust)).toMatchObject({ ok: true });
    expect(h[name]).toHaveBeenCalledWith(expect.objectContaining(valid[name] as object), sidebarFrame);
    const strangers: Sender[] = [
      gmailContentScript,
      { ...gmailContentScript, frameId: 3 },
      { ...sidebarFrame, id: 'otherextensionidotherextensionid' },
      { ...sidebarFrame, url: 'chrome-extension://otherextensionidotherextensionid/sidebar.html' },
      { ...sidebarFrame, url: 'https://mail.google.com/sidebar.html' },
    ];
    for (const sender of strangers) {
      const refused = engineHandlers();
      expect(await dispatch(protocol, name, valid[name], sender, refused, trust)).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
      expect(refused[name]).not.toHaveBeenCalled();
    }
  });

  it.each(names.flatMap((name) => invalid[name].map((input) => [name, input] as const)))('refuses %s with %j as invalid_payload, before its handler runs', async (name, input) => {
    const h = engineHandlers();
    const result = await dispatch(protocol, name, input, optionsInTab, h, trust);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining(`The request to "${name}" was not valid`) } });
    expect(h[name]).not.toHaveBeenCalled();
  });

  it('hands the handler the input with its defaults', async () => {
    const h = engineHandlers();
    await dispatch(protocol, 'backfill', valid.backfill, optionsInTab, h, trust);
    await dispatch(protocol, 'getRunSample', valid.getRunSample, optionsInTab, h, trust);
    await dispatch(protocol, 'lookupMessages', { mailboxId: 'm', text: '  renewal  ' }, optionsInTab, h, trust);
    expect(h.backfill).toHaveBeenCalledWith({ mailboxId: 'gmail:rep@acme-sales.test', days: 30, confirmed: false }, optionsInTab);
    expect(h.getRunSample).toHaveBeenCalledWith({ runId: 'run-1', perContact: 5 }, optionsInTab);
    expect(h.lookupMessages).toHaveBeenCalledWith({ mailboxId: 'm', text: 'renewal', limit: 25 }, optionsInTab);
  });
});

describe('connectMailbox input: the shared mailbox rule of the forms (R6)', () => {
  it("refuses a shared mailbox whose owner is a name, or which lacks a note, on each field; the handler never runs", async () => {
    const h = { ...handlers(), connectMailbox: vi.fn(unused) };
    const named = await dispatch(protocol, 'connectMailbox', { provider: 'gmail', scope: 'support', kind: 'shared', owner: 'Dana Owner', recoveryNote: null }, optionsInTab, h, trust);
    expect(named).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', fields: { owner: expect.stringMatching(/^Enter the owner's email address/), recoveryNote: expect.stringMatching(/^A shared mailbox needs a recovery note/) } },
    });
    expect(h.connectMailbox).not.toHaveBeenCalled();
  });
});
