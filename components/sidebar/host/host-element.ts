/**
 * The sidebar's footprint in the webmail page: an element whose CLOSED shadow root holds the
 * sidebar iframe (an extension page). The page can see the element but not into it: no
 * `shadowRoot`, no iframe in `querySelectorAll` or `window.frames`, and the frame itself is
 * cross-origin.
 *
 * The host is a plain `div`, not a custom element: a page could define a custom tag first and
 * keep each element's `ElementInternals`, whose `shadowRoot` reaches even a closed root attached
 * to a custom element. A built-in element cannot be claimed that way.
 */

/** The attribute that marks the host (its only one besides `style`). */
export const SIDEBAR_HOST_ATTRIBUTE = 'data-mailbox-crm-sidebar';
/** Finds hosts, ours or an older copy's of this script. */
export const SIDEBAR_HOST_SELECTOR = `div[${SIDEBAR_HOST_ATTRIBUTE}]`;

/** How the host sits on the page: out of sight (no thread open), a thin tab, or the full sidebar. */
export type HostLayout = 'hidden' | 'collapsed' | 'expanded';

/** One sidebar frame: its host element, the iframe, and the secret the iframe's `name` carries. */
export interface FrameHost {
  host: HTMLElement;
  iframe: HTMLIFrameElement;
  secret: string;
}

/** Where the host sits: fixed, so the page's layout never moves; topmost, with every page rule overridden. */
const BASE: Record<string, string> = {
  all: 'initial',
  display: 'block',
  position: 'fixed',
  right: '0',
  left: 'auto',
  bottom: 'auto',
  'z-index': '2147483647',
  border: '0',
  margin: '0',
  padding: '0',
  'box-sizing': 'border-box',
  overflow: 'hidden',
  visibility: 'visible',
  opacity: '1',
  transform: 'none',
  filter: 'none',
  'clip-path': 'none',
  'pointer-events': 'auto',
  contain: 'strict',
};

const LAYOUTS: Record<HostLayout, Record<string, string>> = {
  hidden: { display: 'none', top: '64px', width: '340px', height: '0' },
  expanded: { top: '64px', width: '340px', height: 'calc(100vh - 72px)' },
  collapsed: { top: '128px', width: '36px', height: '120px' },
};

/** A fresh 128-bit secret, hex. */
function freshSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Builds a host element with a fresh secret around an iframe of `src`, hidden until the frame is
 * ready; the caller attaches it. The iframe fills the host; nothing of the page reaches inside.
 */
export function createFrameHost(src: string): FrameHost {
  const host = document.createElement('div');
  applyLayout(host, 'hidden');
  const root = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  // The inline style cannot reach the host's pseudo-elements, so a page rule could paint one over
  // the sidebar (a clickjack); a shadow root's `!important` wins over the page's for its host.
  style.textContent =
    ':host{all:initial}:host::before,:host::after{content:none!important;display:none!important}' +
    'iframe{display:block;width:100%;height:100%;border:0;margin:0;padding:0;background:transparent}';
  const iframe = document.createElement('iframe');
  const secret = freshSecret();
  iframe.name = secret;
  iframe.title = 'CRM sidebar';
  // The sidebar needs none of the page's powerful features; say so rather than inherit defaults.
  iframe.allow = "camera 'none'; microphone 'none'; geolocation 'none'; display-capture 'none'; payment 'none'; usb 'none'";
  iframe.referrerPolicy = 'no-referrer';
  iframe.src = src;
  root.append(style, iframe);
  return { host, iframe, secret };
}

/** Sets the host's inline style for `layout`, every declaration `!important`, and no attribute but that and its mark. */
export function applyLayout(host: HTMLElement, layout: HostLayout): void {
  host.removeAttribute('style');
  for (const [name, value] of Object.entries({ ...BASE, ...LAYOUTS[layout] })) host.style.setProperty(name, value, 'important');
  for (const name of host.getAttributeNames()) if (name !== 'style' && name !== SIDEBAR_HOST_ATTRIBUTE) host.removeAttribute(name);
  host.setAttribute(SIDEBAR_HOST_ATTRIBUTE, '');
}

/** Whether the host still carries exactly what `applyLayout` gave it (`style` as given, and its mark). */
export function hostIntact(host: HTMLElement, style: string | null): boolean {
  return host.attributes.length === 2 && host.getAttribute('style') === style && host.hasAttribute(SIDEBAR_HOST_ATTRIBUTE);
}
