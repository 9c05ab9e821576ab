import { type Browser, browser } from 'wxt/browser';
import { SIDEBAR_PORT_PREFIX } from '../webmail/channel-constants';

/**
 * The extension side of the sidebar frame (issue 11): the port between a webmail tab's content
 * script and the sidebar iframe it hosts, the frame's URL, and the collapsed preference. The
 * content script imports this file directly (not the platform index, which pulls zod and the
 * storage module into its bundle).
 */

export type SidebarPort = Browser.runtime.Port;

/** Whether this script still belongs to a live extension (false once the extension is reloaded, updated or removed). */
export function extensionAlive(): boolean {
  return browser.runtime?.id !== undefined;
}

/** The sidebar frame's URL: an unlisted extension page, web-accessible to the webmail origins only. */
export function sidebarFrameUrl(): string {
  return browser.runtime.getURL('/sidebar-frame.html');
}

/**
 * Content-script side: opens the port to the sidebar frame whose `window.name` is `secret`. Every
 * extension page hears the connect; only that frame keeps the port (`acceptSidebarPort`).
 */
export function openSidebarPort(secret: string): SidebarPort {
  return browser.runtime.connect({ name: SIDEBAR_PORT_PREFIX + secret });
}

/**
 * Frame side: waits for the one port named with this frame's `secret` and opened by this
 * extension's own content script, and hands it to `onPort`; any other port is ignored. After
 * the first match (or `stop()`) no further port is taken, so a secret that leaked later opens
 * nothing. Returns `stop`.
 */
export function acceptSidebarPort(secret: string, onPort: (port: SidebarPort) => void): () => void {
  const expected = SIDEBAR_PORT_PREFIX + secret;
  const listener = (port: SidebarPort) => {
    // Every extension page hears every connect: another sidebar frame's port, or one of another
    // part of the extension. It is left alone, never disconnected, since a receiver's disconnect
    // closes the port for its opener too (every receiver, and the one meant, loses it).
    if (port.name !== expected || port.sender?.id !== browser.runtime.id || port.sender?.tab === undefined) return;
    stop();
    onPort(port);
  };
  const stop = () => browser.runtime.onConnect.removeListener(listener);
  if (secret.length < 16) return () => undefined;
  browser.runtime.onConnect.addListener(listener);
  return stop;
}
