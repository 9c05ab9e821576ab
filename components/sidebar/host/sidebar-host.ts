import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { extensionAlive, openSidebarPort, type SidebarPort, sidebarFrameUrl } from '@/lib/platform/sidebar-port';
import type { FromSidebar, ToSidebar } from '@/lib/webmail/channel';
import { CHANNEL_LIMITS } from '@/lib/webmail/channel-constants';
import { hasNewMail } from '@/lib/webmail/new-mail';
import { tokenBucket } from '@/lib/async/token-bucket';
import type { InboxSignal, Webmail, WebmailThread } from '@/lib/webmail/thread';
import { applyLayout, createFrameHost, type FrameHost, hostIntact, type HostLayout, SIDEBAR_HOST_SELECTOR } from './host-element';

/** What a webmail's content script hands the host: its name and its pure page readers. */
export interface SidebarHostOptions {
  webmail: Webmail;
  readThread: (doc: Document, url: URL) => WebmailThread | null;
  readInbox: (doc: Document) => InboxSignal;
}

/**
 * Page reads come from a bucket of `TICK_BURST`, refilled one per `TICK_MS`: a busy page's
 * mutations cost at most one read per interval, yet the read a navigation needs right after the
 * URL changed is not held back. Gmail fires `popstate` before it swaps in the new thread, so the
 * first read sees the old view and the swap's own read must not wait out a whole interval (the
 * sidebar bench measured ~110 ms of card latency from that wait alone).
 */
export const TICK_MS = 100;
const TICK_BURST = 2;
/**
 * Fresh frames come from a bucket of `REBUILD_BURST`, refilled one per `REBUILD_REFILL_MS`, so a
 * page that keeps removing the host cannot spin the CPU, and the sidebar is back soon after it stops.
 */
const REBUILD_BURST = 3;
const REBUILD_REFILL_MS = 2_000;
/** A frame that has not said `ready` by then is replaced. */
const READY_TIMEOUT_MS = 10_000;
/** The attributes that mark the open or selected thread, besides the DOM's own changes. */
const SELECTION_ATTRIBUTES = ['aria-selected', 'data-legacy-thread-id', 'data-convid', 'data-thread-perm-id'];

interface LiveFrame extends FrameHost {
  port: SidebarPort | null;
  ready: boolean;
  loads: number;
  readyTimer: ReturnType<typeof setTimeout>;
}

/**
 * Hosts the sidebar frame on a webmail page and keeps it true to the page (R26, R27): it follows
 * navigation (`wxt:locationchange`, and a throttled MutationObserver that also compares the URL,
 * since a page script can invalidate WXT's context and with it that listener), tells the frame
 * the open thread and new mail over the secret port, and puts the frame back when the page
 * removes, moves or restyles it. It ends only when the extension itself is gone, never on WXT's
 * context invalidation, which the page can trigger. Returns the teardown.
 */
export function startSidebarHost(ctx: ContentScriptContext, options: SidebarHostOptions): () => void {
  let frame: LiveFrame | null = null;
  let collapsed = false;
  let layout: HostLayout = 'hidden';
  let appliedStyle: string | null = null;
  let sentState = '';
  let inbox: InboxSignal | null = null;
  let pendingNewMail = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const ticks = tokenBucket(TICK_BURST, TICK_MS);
  const rebuilds = tokenBucket(REBUILD_BURST, REBUILD_REFILL_MS);

  const schedule = () => {
    if (stopped || timer !== null) return;
    timer = setTimeout(tick, ticks.waitMs());
  };

  const observer = new MutationObserver(schedule);
  const hostObserver = new MutationObserver(schedule);

  function teardown() {
    if (stopped) return;
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    observer.disconnect();
    window.removeEventListener('hashchange', schedule);
    window.removeEventListener('popstate', schedule);
    dropFrame();
  }

  function dropFrame() {
    hostObserver.disconnect();
    if (!frame) return;
    const { host, port, readyTimer } = frame;
    frame = null;
    clearTimeout(readyTimer);
    host.remove();
    port?.disconnect();
  }

  /** Replaces the frame with a fresh one (fresh secret, fresh port), within the rate limit. */
  function rebuild(): void {
    dropFrame();
    if (!rebuilds.take()) {
      timer ??= setTimeout(tick, rebuilds.waitMs());
      return;
    }
    const built = createFrameHost(sidebarFrameUrl());
    const live: LiveFrame = { ...built, port: null, ready: false, loads: 0, readyTimer: setTimeout(() => frameLost(live), READY_TIMEOUT_MS) };
    frame = live;
    layout = 'hidden';
    appliedStyle = built.host.getAttribute('style');
    sentState = '';
    built.iframe.addEventListener('load', () => frameLoaded(live));
    document.documentElement.append(built.host);
    hostObserver.observe(built.host, { attributes: true });
  }

  function frameLoaded(live: LiveFrame): void {
    live.loads += 1;
    // A second load means the frame was navigated (a page may navigate a child frame): its
    // secret may have been read, so the frame is replaced, never reconnected.
    if (live.loads > 1 || live.port) return frameLost(live);
    const port = openSidebarPort(live.secret);
    live.port = port;
    port.onMessage.addListener((message: unknown) => fromFrame(live, message));
    port.onDisconnect.addListener(() => frameLost(live));
  }

  function frameLost(live: LiveFrame): void {
    if (frame !== live || stopped) return;
    if (!extensionAlive()) return teardown();
    rebuild();
    schedule();
  }

  function fromFrame(live: LiveFrame, raw: unknown): void {
    if (frame !== live) return;
    const message = readFromSidebar(raw);
    if (!message) return;
    if (message.type === 'ready') {
      live.ready = true;
      clearTimeout(live.readyTimer);
      sentState = '';
    } else {
      collapsed = message.collapsed;
    }
    schedule();
  }

  function post(message: ToSidebar): void {
    frame?.port?.postMessage(message);
  }

  function tick(): void {
    timer = null;
    ticks.take();
    if (stopped) return;
    if (!extensionAlive()) return teardown();
    if (!frame || frame.host.parentNode !== document.documentElement) rebuild();
    if (!frame) return;
    const thread = clampThread(options.readThread(document, new URL(location.href)));
    const wanted: HostLayout = !frame.ready || !thread ? 'hidden' : collapsed ? 'collapsed' : 'expanded';
    // The page may restyle the host or add attributes (`hidden`, `inert`): put ours back.
    if (wanted !== layout || !hostIntact(frame.host, appliedStyle)) {
      layout = wanted;
      applyLayout(frame.host, wanted);
      appliedStyle = frame.host.getAttribute('style');
    }
    const next = options.readInbox(document);
    if (inbox && hasNewMail(inbox, next)) pendingNewMail = true;
    inbox = next;
    if (!frame.ready) return;
    const state: ToSidebar = { type: 'state', webmail: options.webmail, thread, collapsed };
    const signature = JSON.stringify(state);
    if (signature !== sentState) {
      sentState = signature;
      post(state);
    }
    if (pendingNewMail) {
      pendingNewMail = false;
      post({ type: 'newMail' });
    }
  }

  // A host left by an older copy of this script (the extension was reloaded or updated) goes.
  for (const stale of document.querySelectorAll(SIDEBAR_HOST_SELECTOR)) stale.remove();
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: SELECTION_ATTRIBUTES });
  ctx.addEventListener(window, 'wxt:locationchange', schedule);
  window.addEventListener('hashchange', schedule);
  window.addEventListener('popstate', schedule);
  rebuild();
  schedule();
  return teardown;
}

/** The frame's message, checked by hand (no zod in the content script); anything else is null. */
function readFromSidebar(raw: unknown): FromSidebar | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const message = raw as { type?: unknown; collapsed?: unknown };
  if (message.type === 'ready') return { type: 'ready' };
  if (message.type === 'setCollapsed' && typeof message.collapsed === 'boolean') return { type: 'setCollapsed', collapsed: message.collapsed };
  return null;
}

/**
 * The thread within the channel's limits, so the frame, which drops what breaks them, still gets
 * the page's state: long text is cut, long lists shortened; a key too long to be real means no thread.
 */
function clampThread(thread: WebmailThread | null): WebmailThread | null {
  const L = CHANNEL_LIMITS;
  if (!thread || thread.threadKey.length === 0 || thread.threadKey.length > L.threadKey) return null;
  return {
    threadKey: thread.threadKey,
    subject: thread.subject.slice(0, L.subject),
    participants: thread.participants.slice(0, L.participants).map((p) => ({ name: p.name.slice(0, L.name), address: p.address.slice(0, L.address) })),
    missing: thread.missing.slice(0, L.missing).map((name) => name.slice(0, L.missingName)),
  };
}
