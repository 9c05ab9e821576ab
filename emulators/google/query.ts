import { searchableLabelName } from './labels';

/**
 * The subset of Gmail's search syntax (`q` on messages.list and threads.list) the product uses,
 * as a pure parser. Supported: `after:`/`before:` (and `newer:`/`older:`) with YYYY/MM/DD,
 * YYYY-MM-DD or epoch seconds; `newer_than:`/`older_than:` with d, m or y; `in:`, `label:`,
 * `category:`, `is:`; `from:`, `to:`, `subject:`; quoted phrases and bare words; a leading `-`
 * negates a term. Braces group label terms that are ORed (`{in:inbox label:customers}`: either
 * label), as Gmail's search operators document `{ }`; a `-` before the braces negates each.
 * Not supported: `OR`, parentheses, and other terms inside braces (read as words).
 *
 * A label term names a system label (`in:`, `is:`, `category:`, `label:inbox`, …), which comes
 * out as its id, or a user label by name (`label:"Key accounts"`, `label:key-accounts`), which
 * comes out as `name:` and the name as `searchableLabelName` reads it: only the mailbox knows
 * which id that is.
 *
 * Dates follow the Gmail API's filtering guide: a calendar date means midnight of that date in
 * PST (UTC-8); epoch seconds are exact. `after:` is inclusive, `before:` exclusive.
 */

export interface TextTerm {
  field: 'any' | 'from' | 'to' | 'subject';
  /** Lower-cased. */
  value: string;
  negate: boolean;
}

export interface GmailQuery {
  /** Earliest internalDate (ms) that matches, or null. */
  after: number | null;
  /** internalDate (ms) a match must be below, or null. */
  before: number | null;
  /** Label ids (or `name:` references) a match must carry. */
  labels: string[];
  /** Groups of label ids (or `name:` references): a match carries at least one of each group. */
  anyOf: string[][];
  /** Label ids a match must not carry. */
  notLabels: string[];
  /** `in:anywhere`: spam and trash are searched too. */
  anywhere: boolean;
  text: TextTerm[];
}

const PST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

const IN_LABELS: Record<string, string> = {
  inbox: 'INBOX',
  sent: 'SENT',
  spam: 'SPAM',
  trash: 'TRASH',
  draft: 'DRAFT',
  drafts: 'DRAFT',
  chat: 'CHAT',
  chats: 'CHAT',
  starred: 'STARRED',
  important: 'IMPORTANT',
  unread: 'UNREAD',
};
const CATEGORY_LABELS: Record<string, string> = {
  primary: 'CATEGORY_PERSONAL',
  personal: 'CATEGORY_PERSONAL',
  social: 'CATEGORY_SOCIAL',
  promotions: 'CATEGORY_PROMOTIONS',
  updates: 'CATEGORY_UPDATES',
  forums: 'CATEGORY_FORUMS',
};

/** `2024/01/31`, `2024-1-31` or epoch seconds, as ms; null when it is neither. */
export function parseDate(value: string): number | null {
  if (/^\d{9,}$/.test(value)) return Number(value) * 1000;
  const match = value.match(/^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return Date.UTC(year, month - 1, day) + PST_OFFSET_MS;
}

/** `3d`, `2m`, `1y` as a span in ms (a month is 30 days, a year 365, as Gmail counts them). */
export function parseSpan(value: string): number | null {
  const match = value.match(/^(\d+)([dmy])$/i);
  if (!match) return null;
  const days = { d: 1, m: 30, y: 365 }[match[2]!.toLowerCase() as 'd' | 'm' | 'y'];
  return Number(match[1]) * days * DAY_MS;
}

/** Splits a query into terms, keeping quoted phrases (and `op:"a phrase"`) whole. */
function tokenize(q: string): string[] {
  return q.match(/-?(?:[\w.-]+:)?"[^"]*"|\S+/g) ?? [];
}

const unquote = (value: string) => value.replace(/^"(.*)"$/, '$1');

/** A `{…}` group, possibly negated; inside, only label terms are read. */
const GROUP = /(-?)\{([^{}]*)\}/g;
const SYSTEM_LABEL_IDS = new Set([...Object.values(IN_LABELS), ...Object.values(CATEGORY_LABELS), 'CATEGORY_PERSONAL']);

/** The label a label term names (see the module comment), or null for any other term. */
function labelOf(operator: string, value: string): string | null {
  if (operator === 'in' || operator === 'is') return value === 'read' || value === 'anywhere' ? null : (IN_LABELS[value] ?? null);
  if (operator === 'category') return CATEGORY_LABELS[value] ?? null;
  if (operator !== 'label') return null;
  const system = IN_LABELS[value] ?? value.toUpperCase().replace(/-/g, '_');
  return SYSTEM_LABEL_IDS.has(system) ? system : `name:${searchableLabelName(value)}`;
}

/** Parses `q`; `now` anchors `newer_than:`/`older_than:`. Never throws: what it cannot read is a word. */
export function parseQuery(q: string, now: number): GmailQuery {
  const query: GmailQuery = { after: null, before: null, labels: [], notLabels: [], anyOf: [], anywhere: false, text: [] };
  const ungrouped = q.replace(GROUP, (group: string, negated: string, inner: string) => {
    const terms = tokenize(inner).map((token) => {
      const colon = token.indexOf(':');
      return colon > 0 && !token.startsWith('-') ? labelOf(token.slice(0, colon).toLowerCase(), unquote(token.slice(colon + 1)).toLowerCase()) : null;
    });
    // Anything but label terms inside: its terms are read as words, as the parser does with what
    // it cannot read (not as ANDed operators, which would mean something else).
    if (terms.length === 0 || terms.some((t) => t === null)) {
      for (const token of tokenize(inner)) query.text.push({ field: 'any', value: unquote(token).toLowerCase(), negate: false });
      return ' ';
    }
    if (negated) query.notLabels.push(...(terms as string[]));
    else query.anyOf.push(terms as string[]);
    return ' ';
  });
  const later = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));
  const earlier = (a: number | null, b: number) => (a === null ? b : Math.min(a, b));
  const label = (id: string, negate: boolean) => (negate ? query.notLabels : query.labels).push(id);

  for (const token of tokenize(ungrouped)) {
    const negate = token.startsWith('-') && token.length > 1;
    const term = negate ? token.slice(1) : token;
    const colon = term.indexOf(':');
    const operator = colon > 0 && !term.startsWith('"') ? term.slice(0, colon).toLowerCase() : '';
    const value = unquote(term.slice(colon + 1)).toLowerCase();
    const word = () => query.text.push({ field: 'any', value: unquote(term).toLowerCase(), negate });

    // A negated date bound is rare and Gmail's reading of it murky: treat the bound as given.
    switch (operator) {
      case 'after':
      case 'newer':
      case 'before':
      case 'older': {
        const at = parseDate(value);
        if (at === null) word();
        else if (operator === 'after' || operator === 'newer') query.after = later(query.after, at);
        else query.before = earlier(query.before, at);
        break;
      }
      case 'newer_than':
      case 'older_than': {
        const span = parseSpan(value);
        if (span === null) word();
        else if (operator === 'newer_than') query.after = later(query.after, now - span);
        else query.before = earlier(query.before, now - span);
        break;
      }
      case 'in':
        if (value === 'anywhere') query.anywhere = !negate;
        else if (IN_LABELS[value]) label(IN_LABELS[value], negate);
        else word();
        break;
      case 'is':
        if (value === 'read') label('UNREAD', !negate);
        else if (IN_LABELS[value]) label(IN_LABELS[value], negate);
        else word();
        break;
      case 'category':
        if (CATEGORY_LABELS[value]) label(CATEGORY_LABELS[value], negate);
        else word();
        break;
      case 'label':
        // System labels by name in any case (`category-promotions` style too); user labels by name.
        label(labelOf('label', value)!, negate);
        break;
      case 'from':
      case 'to':
      case 'subject':
        query.text.push({ field: operator, value, negate });
        break;
      default:
        word();
    }
  }
  return query;
}
