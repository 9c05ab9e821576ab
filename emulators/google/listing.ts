import { partitionPoint } from '../core/partition';
import { labelBit, searchableLabelName, SPAM_OR_TRASH, USER_LABEL_IDS } from './labels';
import { type GmailMessage, type MailboxState, newestFirst } from './mail-store';
import type { GmailQuery, TextTerm } from './query';

/** A messages.list / threads.list filter, compiled to label masks and a date range. */
export interface ListFilter {
  required: number;
  excluded: number;
  /** Masks a match must share at least one label with (`{…}` groups). */
  anyOf: number[];
  after: number | null;
  before: number | null;
  text: TextTerm[];
  /** A required label no message can carry (an unknown label id). */
  empty: boolean;
}

/**
 * The bit of a label id or a `name:` reference (see query.ts) in a mailbox whose user labels are
 * `userLabels`; undefined for a label the mailbox does not have.
 */
function bitOf(ref: string, userLabels: ReadonlyMap<string, string>): number | undefined {
  if (ref.startsWith('name:')) {
    const wanted = ref.slice('name:'.length);
    const id = [...userLabels].find(([, name]) => searchableLabelName(name) === wanted)?.[0];
    return id === undefined ? undefined : labelBit(id);
  }
  return USER_LABEL_IDS.includes(ref) && !userLabels.has(ref) ? undefined : labelBit(ref);
}

/**
 * Compiles `labelIds` and a parsed `q` for a mailbox with these user labels. Spam and trash are
 * left out unless `includeSpamTrash`, `in:anywhere`, or the filter asks for SPAM or TRASH by
 * name (outside an OR group), as Gmail does.
 */
export function compileFilter(labelIds: string[], query: GmailQuery | null, includeSpamTrash: boolean, userLabels: ReadonlyMap<string, string>): ListFilter {
  const filter: ListFilter = { required: 0, excluded: 0, anyOf: [], after: query?.after ?? null, before: query?.before ?? null, text: query?.text ?? [], empty: false };
  for (const id of [...labelIds, ...(query?.labels ?? [])]) {
    const bit = bitOf(id, userLabels);
    if (bit === undefined) filter.empty = true;
    else filter.required |= bit;
  }
  for (const group of query?.anyOf ?? []) {
    const mask = group.reduce((m, ref) => m | (bitOf(ref, userLabels) ?? 0), 0);
    // A group of labels the mailbox does not have matches nothing.
    if (mask === 0) filter.empty = true;
    filter.anyOf.push(mask);
  }
  for (const id of query?.notLabels ?? []) filter.excluded |= bitOf(id, userLabels) ?? 0;
  if (!includeSpamTrash && !query?.anywhere) filter.excluded |= SPAM_OR_TRASH & ~filter.required;
  return filter;
}

const addressText = (list: { name: string | null; address: string }[]) => list.map((a) => `${a.name ?? ''} ${a.address}`).join(' ').toLowerCase();

function textMatches(message: GmailMessage, term: TextTerm): boolean {
  const { content } = message;
  let haystack: string;
  if (term.field === 'from') haystack = content.from ? addressText([content.from]) : '';
  else if (term.field === 'to') haystack = addressText([...content.to, ...content.cc, ...content.bcc]);
  else if (term.field === 'subject') haystack = content.subject.toLowerCase();
  else haystack = `${content.subject}\n${content.body}`.toLowerCase();
  return haystack.includes(term.value) !== term.negate;
}

function matches(message: GmailMessage, filter: ListFilter): boolean {
  return (
    (message.mask & filter.required) === filter.required &&
    (message.mask & filter.excluded) === 0 &&
    filter.anyOf.every((mask) => (message.mask & mask) !== 0) &&
    (filter.after === null || message.internalDate >= filter.after) &&
    (filter.before === null || message.internalDate < filter.before) &&
    filter.text.every((term) => textMatches(message, term))
  );
}

/** Where a page starts: after the message a page token names (internalDate and id). */
export interface Cursor {
  internalDate: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.internalDate}:${cursor.id}`).toString('base64url');
}

export function decodeCursor(token: string): Cursor | null {
  const match = Buffer.from(token, 'base64url').toString().match(/^(\d+):([0-9a-f]{16})$/);
  return match ? { internalDate: Number(match[1]), id: match[2]! } : null;
}

/** First index of `byDate` (newest first) that sorts after `probe`. */
const firstAfter = (byDate: GmailMessage[], probe: Cursor) => partitionPoint(byDate, (m) => newestFirst(m, probe as GmailMessage) <= 0);

/** The index range of `byDate` inside the filter's dates, found by binary search. */
function dateRange(state: MailboxState, filter: ListFilter, cursor: Cursor | null): [number, number] {
  const { byDate } = state;
  let start = filter.before === null ? 0 : firstAfter(byDate, { internalDate: filter.before, id: '' });
  if (cursor) start = Math.max(start, firstAfter(byDate, cursor));
  // Ids sort above '~', so this lands before every message at `after - 1`.
  const end = filter.after === null ? byDate.length : firstAfter(byDate, { internalDate: filter.after - 1, id: '~' });
  return [start, Math.max(start, end)];
}

const unfiltered = (filter: ListFilter) => filter.required === 0 && filter.excluded === 0 && filter.anyOf.length === 0 && filter.text.length === 0;

/** A thread is listed at its newest message that matches; older matches of it are skipped. */
function isThreadHead(state: MailboxState, message: GmailMessage, filter: ListFilter): boolean {
  const thread = state.threads.get(message.threadId) ?? [];
  for (let i = thread.length - 1; i >= 0; i--) {
    const other = thread[i]!;
    if (other === message) return true;
    if (newestFirst(other, message) < 0 && matches(other, filter)) return false;
  }
  return true;
}

/** Distinct filters whose estimate is kept per mailbox. */
const MAX_CACHED_ESTIMATES = 64;

export interface Page {
  items: GmailMessage[];
  next: Cursor | null;
  resultSizeEstimate: number;
}

/**
 * One page of messages (or of threads, by their head message), newest first. A page scans only
 * the filter's date range from the cursor on; the estimate is counted once per filter and kept
 * until the mailbox changes.
 */
export function listPage(state: MailboxState, filter: ListFilter, cursor: Cursor | null, max: number, threads: boolean): Page {
  if (filter.empty) return { items: [], next: null, resultSizeEstimate: 0 };
  const accept = threads ? (m: GmailMessage) => matches(m, filter) && isThreadHead(state, m, filter) : (m: GmailMessage) => matches(m, filter);
  const [start, end] = dateRange(state, filter, cursor);
  const items: GmailMessage[] = [];
  let next: Cursor | null = null;
  for (let i = start; i < end; i++) {
    const message = state.byDate[i]!;
    if (!accept(message)) continue;
    if (items.length === max) {
      // Another match exists: the page gets a token that starts after its last item.
      const last = items[items.length - 1]!;
      next = { internalDate: last.internalDate, id: last.id };
      break;
    }
    items.push(message);
  }
  return { items, next, resultSizeEstimate: estimate(state, filter, threads, accept) };
}

function estimate(state: MailboxState, filter: ListFilter, threads: boolean, accept: (m: GmailMessage) => boolean): number {
  const [start, end] = dateRange(state, filter, null);
  if (!threads && unfiltered(filter)) return end - start;
  const key = JSON.stringify([threads, filter]);
  let count = state.estimates.get(key);
  if (count === undefined) {
    count = 0;
    for (let i = start; i < end; i++) if (accept(state.byDate[i]!)) count++;
    if (state.estimates.size >= MAX_CACHED_ESTIMATES) state.estimates.clear();
    state.estimates.set(key, count);
  }
  return count;
}

/** A list answer: the items under `field` (left out when empty), the next page token, the estimate. */
export function listJson<T>(field: 'messages' | 'threads', items: T[], page: Page): Record<string, unknown> {
  return {
    ...(items.length ? { [field]: items } : {}),
    ...(page.next ? { nextPageToken: encodeCursor(page.next) } : {}),
    resultSizeEstimate: page.resultSizeEstimate,
  };
}
