import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { acceptSidebarPort, readSidebarCollapsed, sidebarCollapsedItem, type SidebarPort } from '@/lib/platform';
import { SIDEBAR_PORT_PREFIX } from '@/lib/webmail/channel';

// WXT's fake browser has no runtime.onConnect: a minimal one, listeners called in order.
let listeners: ((port: SidebarPort) => void)[] = [];
beforeEach(() => {
  fakeBrowser.reset();
  listeners = [];
  vi.spyOn(fakeBrowser.runtime.onConnect, 'addListener').mockImplementation((listener) => void listeners.push(listener));
  vi.spyOn(fakeBrowser.runtime.onConnect, 'removeListener').mockImplementation((listener) => void (listeners = listeners.filter((l) => l !== listener)));
});
afterEach(() => vi.restoreAllMocks());

/** A content script (or anyone) connects: every listening extension page hears it. */
const connect = (p: SidebarPort) => {
  for (const listener of [...listeners]) listener(p);
};

const secret = '0123456789abcdef0123456789abcdef';

/** A port as `runtime.onConnect` hands it over; `from` is the sender. */
function port(name: string, from: Partial<NonNullable<SidebarPort['sender']>> = { id: fakeBrowser.runtime.id, tab: { id: 7 } as never }): SidebarPort {
  return { name, sender: from, disconnect: vi.fn() } as unknown as SidebarPort;
}

describe('acceptSidebarPort', () => {
  it('takes the one port named with its secret from this extension’s content script, then no other', async () => {
    const taken: SidebarPort[] = [];
    acceptSidebarPort(secret, (p) => taken.push(p));
    const ours = port(SIDEBAR_PORT_PREFIX + secret);
    connect(ours);
    const again = port(SIDEBAR_PORT_PREFIX + secret);
    connect(again);
    expect(taken).toEqual([ours]);
    expect(ours.disconnect).not.toHaveBeenCalled();
  });

  it.each([
    ['a name without the prefix', secret, undefined],
    ['another extension', SIDEBAR_PORT_PREFIX + secret, { id: 'another-extension', tab: { id: 7 } }],
    ['no tab (an extension page, not a content script)', SIDEBAR_PORT_PREFIX + secret, { id: 'ID' }],
    ['the prefix alone', SIDEBAR_PORT_PREFIX, undefined],
    ['a longer name', `${SIDEBAR_PORT_PREFIX + secret}x`, undefined],
  ])('refuses %s', async (_what, name, sender) => {
    const taken: SidebarPort[] = [];
    acceptSidebarPort(secret, (p) => taken.push(p));
    const from = sender?.id === 'ID' ? { id: fakeBrowser.runtime.id } : sender;
    connect(port(name, from as never));
    expect(taken).toEqual([]);
  });

  it('leaves every other port alone: disconnecting it would close it for its own frame too', async () => {
    const taken: SidebarPort[] = [];
    acceptSidebarPort(secret, (p) => taken.push(p));
    const others = [port('something-else'), port(`${SIDEBAR_PORT_PREFIX}fedcba9876543210fedcba9876543210`), port(SIDEBAR_PORT_PREFIX + secret, { id: 'another-extension' })];
    for (const other of others) connect(other);
    expect(taken).toEqual([]);
    for (const other of others) expect(other.disconnect).not.toHaveBeenCalled();
  });

  it('takes nothing with an empty or short secret (a frame opened without one), nor after stop', async () => {
    const taken: SidebarPort[] = [];
    acceptSidebarPort('', (p) => taken.push(p));
    connect(port(SIDEBAR_PORT_PREFIX));
    const stop = acceptSidebarPort(secret, (p) => taken.push(p));
    stop();
    connect(port(SIDEBAR_PORT_PREFIX + secret));
    expect(taken).toEqual([]);
  });
});

describe('the collapsed preference', () => {
  it('is expanded until set, reads back, and a stored value of the wrong shape counts as expanded', async () => {
    expect(await readSidebarCollapsed()).toBe(false);
    await sidebarCollapsedItem.setValue(true);
    expect(await readSidebarCollapsed()).toBe(true);
    await fakeBrowser.storage.local.set({ sidebarCollapsed: 'yes' });
    expect(await readSidebarCollapsed()).toBe(false);
  });
});
