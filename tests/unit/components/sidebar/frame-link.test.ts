import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { NEW_MAIL_MAX_WAIT_MS, NEW_MAIL_QUIET_MS, PORT_WAIT_MS, startFrameLink } from '@/components/sidebar/frame-link';
import { sidebarCollapsedItem, type SidebarPort } from '@/lib/platform';
import { SIDEBAR_PORT_PREFIX } from '@/lib/webmail/channel';

const secret = '0123456789abcdef0123456789abcdef';

// WXT's fake browser has no runtime.onConnect or ports: minimal ones.
let listeners: ((port: SidebarPort) => void)[] = [];
beforeEach(() => {
  vi.useFakeTimers();
  fakeBrowser.reset();
  listeners = [];
  vi.spyOn(fakeBrowser.runtime.onConnect, 'addListener').mockImplementation((listener) => void listeners.push(listener));
  vi.spyOn(fakeBrowser.runtime.onConnect, 'removeListener').mockImplementation((listener) => void (listeners = listeners.filter((l) => l !== listener)));
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** The content script's end of a port: what it posted to the frame is `sent`; `deliver` plays a message from it. */
function contentScriptPort() {
  const onMessage: ((message: unknown) => void)[] = [];
  const onDisconnect: (() => void)[] = [];
  const sent: unknown[] = [];
  const port = {
    name: SIDEBAR_PORT_PREFIX + secret,
    sender: { id: fakeBrowser.runtime.id, tab: { id: 3 } },
    postMessage: (message: unknown) => sent.push(message),
    disconnect: vi.fn(),
    onMessage: { addListener: (l: (message: unknown) => void) => onMessage.push(l) },
    onDisconnect: { addListener: (l: () => void) => onDisconnect.push(l) },
  } as unknown as SidebarPort;
  return {
    port,
    sent,
    deliver: (message: unknown) => onMessage.forEach((l) => l(message)),
    disconnect: () => onDisconnect.forEach((l) => l()),
    connect: () => [...listeners].forEach((l) => l(port)),
  };
}

const state = {
  type: 'state',
  webmail: 'outlook',
  thread: { threadKey: 'AAQk', subject: 'Renewal', participants: [{ name: 'Dana', address: 'dana@customer.test' }], missing: [] },
  collapsed: false,
} as const;

describe('startFrameLink', () => {
  it('sends the collapsed preference, then ready; keeps each valid state and drops invalid ones', async () => {
    await sidebarCollapsedItem.setValue(true);
    const link = startFrameLink(secret, { requestSync: vi.fn(async () => undefined) });
    const changes = vi.fn();
    link.subscribe(changes);
    const cs = contentScriptPort();
    cs.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(cs.sent).toEqual([{ type: 'setCollapsed', collapsed: true }, { type: 'ready' }]);

    cs.deliver(state);
    expect(link.getState()).toEqual(state);
    // Page-read data breaking the channel's limits, or not a message at all, is dropped.
    cs.deliver({ ...state, thread: { ...state.thread, subject: 'x'.repeat(2001) } });
    cs.deliver({ ...state, thread: { ...state.thread, threadKey: '' } });
    cs.deliver({ ...state, webmail: 'yahoo' });
    cs.deliver('state');
    expect(link.getState()).toEqual(state);
    expect(changes).toHaveBeenCalledTimes(1);

    link.setCollapsed(false);
    expect(cs.sent.at(-1)).toEqual({ type: 'setCollapsed', collapsed: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(await sidebarCollapsedItem.getValue()).toBe(false);

    cs.disconnect();
    expect(link.getState()).toBeNull();
  });

  it('forwards new mail as one requestSync for the webmail, debounced, within the max wait', async () => {
    const requestSync = vi.fn(async () => undefined);
    startFrameLink(secret, { requestSync });
    const cs = contentScriptPort();
    cs.connect();
    cs.deliver(state);
    cs.deliver({ type: 'newMail' });
    await vi.advanceTimersByTimeAsync(NEW_MAIL_QUIET_MS / 2);
    cs.deliver({ type: 'newMail' });
    await vi.advanceTimersByTimeAsync(NEW_MAIL_QUIET_MS - 1);
    expect(requestSync).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(requestSync).toHaveBeenCalledTimes(1);
    expect(requestSync).toHaveBeenCalledWith('outlook');

    // A steady stream of signs still syncs by the max wait.
    for (let t = 0; t < NEW_MAIL_MAX_WAIT_MS; t += NEW_MAIL_QUIET_MS / 2) {
      cs.deliver({ type: 'newMail' });
      await vi.advanceTimersByTimeAsync(NEW_MAIL_QUIET_MS / 2);
    }
    expect(requestSync).toHaveBeenCalledTimes(2);
  });

  it('takes no port after the wait: a frame the page embedded itself stays empty', async () => {
    const link = startFrameLink(secret, { requestSync: vi.fn(async () => undefined) });
    await vi.advanceTimersByTimeAsync(PORT_WAIT_MS);
    const cs = contentScriptPort();
    cs.connect();
    cs.deliver(state);
    expect(cs.sent).toEqual([]);
    expect(link.getState()).toBeNull();
  });
});
