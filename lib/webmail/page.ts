import type { PageParticipant } from './thread';

/*
 * Helpers the Gmail and Outlook page readers share. Plain TypeScript with no imports beyond types:
 * the content script bundles these files and its budget is tiny (no zod, no dependency).
 * Everything here reads text or attribute values, never markup, so what the page holds comes back
 * as inert text (R30).
 */

/** The longest display name kept; the sidebar channel accepts up to this. */
const MAX_NAME = 300;
/** The longest address accepted (RFC 5321's path limit rounded up, as the channel schema allows). */
const MAX_ADDRESS = 320;
/** The longest text read as an unread count ("1.234.567+" with spacing). */
const MAX_COUNT_TEXT = 40;
/** How many conversation keys an inbox signal lists. */
export const TOP_KEYS = 20;

/** Text as the rep sees it: whitespace collapsed, trimmed, capped. */
export function plainText(text: string | null | undefined, max = MAX_NAME): string {
  if (!text) return '';
  return text.replace(/\s+/g, ' ').trim().slice(0, max).trim();
}

/**
 * The address trimmed, when it has the shape of one: a single '@' with text either side, no
 * whitespace, no list or quoting characters, at most 320 characters. Anything else is null.
 */
export function checkAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const address = raw.trim();
  if (address.length === 0 || address.length > MAX_ADDRESS) return null;
  if (!/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/.test(address)) return null;
  return address;
}

/**
 * The addresses in a piece of text, in order ("Dana <dana@x.test>; mailto:sam@y.test"): the runs
 * between separators that have the shape of an address ("a@b@c" is none, not "a@b").
 */
export function addressesIn(text: string | null | undefined): string[] {
  if (!text) return [];
  const found: string[] = [];
  for (const run of text.match(/[^\s<>()[\]\\,;:"'\u060c\u061b]+/g) ?? []) {
    // A sentence's full stop is not part of the domain. Trimmed by a loop: `/\.+$/` backtracks
    // quadratically over a long run of dots followed by anything else.
    let end = run.length;
    while (end > 0 && run[end - 1] === '.') end--;
    const address = run.includes('@') ? checkAddress(run.slice(0, end)) : null;
    if (address) found.push(address);
  }
  return found;
}

/**
 * Collects participants in order of first appearance, deduplicated case-insensitively by address.
 * A later sighting fills in a name the first one lacked; a name equal to the address is no name.
 */
export class ParticipantList {
  private readonly byAddress = new Map<string, PageParticipant>();

  /** Adds a sighting; ignores it (and returns false) when the address has not the shape of one. */
  add(rawAddress: string | null | undefined, rawName: string | null | undefined): boolean {
    const address = checkAddress(rawAddress);
    if (!address) return false;
    const key = address.toLowerCase();
    let name = plainText(rawName);
    if (name.toLowerCase() === key) name = '';
    const seen = this.byAddress.get(key);
    if (!seen) this.byAddress.set(key, { name, address });
    else if (!seen.name && name) seen.name = name;
    return true;
  }

  /** The participants, in order of first appearance. */
  list(): PageParticipant[] {
    return [...this.byAddress.values()].map((p) => ({ ...p }));
  }
}

/**
 * True when the element or an ancestor is hidden by the page: the `hidden` attribute,
 * `aria-hidden="true"` or an inline `display: none`. Webmails keep earlier views in the DOM
 * hidden this way; layout is not consulted, so this also works where nothing is rendered.
 */
export function isHidden(element: Element): boolean {
  for (let el: Element | null = element; el; el = el.parentElement) {
    if (el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true') return true;
    const style = el.getAttribute('style');
    if (style && /(^|;)\s*display\s*:\s*none\b/i.test(style)) return true;
  }
  return false;
}

/** `querySelectorAll` as an array. */
export function all(root: ParentNode, selector: string): Element[] {
  return Array.from(root.querySelectorAll(selector));
}

/**
 * The unread count a badge or title shows: digits, with group separators ("1.204", "1,204") or a
 * cap ("99+"), in ASCII or Arabic-Indic / Persian digits; else null.
 */
export function countIn(text: string | null | undefined): number | null {
  // A badge is a few characters; a long text is no count, and is not worth a regex.
  if ((text?.length ?? 0) > MAX_COUNT_TEXT) return null;
  const ascii = (text ?? '').replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) & 0xf));
  const match = /^\s*(\d{1,3}(?:[.,\u066c\u00a0\u202f ]\d{3})*|\d+)\+?\s*$/.exec(ascii);
  if (!match?.[1]) return null;
  const count = Number(match[1].replace(/\D/g, ''));
  return Number.isSafeInteger(count) ? count : null;
}

/**
 * Runs a reader, turning any throw into the fallback: readers never throw. The readers use only
 * attribute and text reads, which do not throw on any markup, and the content script's isolated
 * world keeps page scripts from patching the DOM methods; this guard is for the unforeseen, and
 * its fallback ("no thread", "no signal") is what the caller shows, so nothing passes silently.
 */
export function guarded<T>(fallback: T, read: () => T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
