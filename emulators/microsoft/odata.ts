/** The OData query options Graph's mail endpoints take, parsed and checked. */

export interface ReceivedRange {
  /** Inclusive lower bound in ms, or null. */
  from: number | null;
  /** Exclusive upper bound in ms, or null. */
  until: number | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** `$select=a,b` as a list, or null when absent. */
export function parseSelect(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  return raw.split(',').map((part) => part.trim()).filter(Boolean);
}

/** `$top`: Graph's mail lists default to 10 and allow up to 1000. */
export function parseTop(raw: string | undefined): Parsed<number> {
  if (raw === undefined) return { ok: true, value: 10 };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1000) return { ok: false, message: `Invalid value '${raw}' for query option '$top'; it must be between 1 and 1000.` };
  return { ok: true, value };
}

export function parseSkip(raw: string | undefined): Parsed<number> {
  if (raw === undefined) return { ok: true, value: 0 };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) return { ok: false, message: `Invalid value '${raw}' for query option '$skip'.` };
  return { ok: true, value };
}

/** `$count=true|false`: with true, a list answer carries `@odata.count`, the matches of the whole query. */
export function parseCount(raw: string | undefined): Parsed<boolean> {
  if (raw === undefined) return { ok: true, value: false };
  const value = raw.trim().toLowerCase();
  if (value !== 'true' && value !== 'false') return { ok: false, message: `Invalid value '${raw}' for query option '$count'.` };
  return { ok: true, value: value === 'true' };
}

const CLAUSE = /^receivedDateTime\s+(ge|gt|le|lt|eq)\s+(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))$/i;

/**
 * `$filter` on `receivedDateTime` only: comparisons with unquoted ISO date-times joined by `and`,
 * as Graph writes them. Times compare at second resolution, as Graph prints them.
 */
export function parseReceivedFilter(raw: string | undefined): Parsed<ReceivedRange> {
  const range: ReceivedRange = { from: null, until: null };
  if (raw === undefined || raw.trim() === '') return { ok: true, value: range };
  for (const clause of raw.trim().split(/\s+and\s+/i)) {
    const match = clause.trim().match(CLAUSE);
    const time = match ? Date.parse(match[2]!) : Number.NaN;
    if (!match || Number.isNaN(time)) return { ok: false, message: `Invalid filter clause: ${clause.trim()}` };
    const seconds = Math.floor(time / 1000) * 1000;
    const op = match[1]!.toLowerCase();
    const lower = op === 'ge' || op === 'eq' ? seconds : op === 'gt' ? seconds + 1000 : null;
    const upper = op === 'lt' ? seconds : op === 'le' || op === 'eq' ? seconds + 1000 : null;
    if (lower !== null) range.from = Math.max(range.from ?? lower, lower);
    if (upper !== null) range.until = Math.min(range.until ?? upper, upper);
  }
  return { ok: true, value: range };
}

/** `$orderby=receivedDateTime [asc|desc]`; Graph lists messages newest first by default. */
export function parseOrderBy(raw: string | undefined): Parsed<'asc' | 'desc'> {
  if (raw === undefined || raw.trim() === '') return { ok: true, value: 'desc' };
  const match = raw.trim().match(/^receivedDateTime(?:\s+(asc|desc))?$/i);
  if (!match) return { ok: false, message: `The $orderby expression '${raw}' is not supported; only receivedDateTime is.` };
  return { ok: true, value: (match[1]?.toLowerCase() as 'asc' | 'desc' | undefined) ?? 'asc' };
}

/** The preferences of a `Prefer` header (several headers or comma-separated), by lower-cased name. */
export function parsePrefer(header: string | undefined): Map<string, string> {
  const prefs = new Map<string, string>();
  for (const part of header?.split(',') ?? []) {
    const [name, ...rest] = part.split('=');
    if (!name?.trim()) continue;
    prefs.set(name.trim().toLowerCase(), rest.join('=').trim().replace(/^"(.*)"$/, '$1'));
  }
  return prefs;
}
