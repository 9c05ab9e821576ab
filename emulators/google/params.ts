import { type GmailContext, gmailFail } from './gmail-context';
import { compileFilter, type Cursor, decodeCursor, type ListFilter } from './listing';
import type { MessageFormat } from './message-json';
import { metadataOnly } from './operations';
import { parseQuery } from './query';

/**
 * Query parameters as the Gmail API reads them; a bad value answers 400 invalidArgument in
 * Google's words ("Invalid value at 'max_results' (TYPE_UINT32), \"x\"").
 */

/** `maxResults`: default `fallback`, at most `max` (larger values are capped, as Gmail does). */
export function maxResults(c: GmailContext, fallback: number, max: number): number | Response {
  const raw = c.req.query('maxResults');
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) return gmailFail(c, 400, 'invalidArgument', `Invalid value at 'max_results' (TYPE_UINT32), "${raw}"`);
  const value = Number(raw);
  return value === 0 ? fallback : Math.min(value, max);
}

/** A boolean parameter: `true`/`false` (any case) or absent. */
export function flag(c: GmailContext, name: string): boolean | Response {
  const raw = c.req.query(name);
  if (raw === undefined) return false;
  if (!/^(true|false)$/i.test(raw)) return gmailFail(c, 400, 'invalidArgument', `Invalid value at '${name}' (TYPE_BOOL), "${raw}"`);
  return raw.toLowerCase() === 'true';
}

/** `pageToken` of messages.list and threads.list, or null for the first page. */
function pageCursor(c: GmailContext): Cursor | null | Response {
  const token = c.req.query('pageToken');
  if (!token) return null;
  return decodeCursor(token) ?? gmailFail(c, 400, 'invalidArgument', 'Invalid pageToken');
}

/** An enum parameter such as `format`; absent means `fallback`. */
export function oneOf<T extends string>(c: GmailContext, name: string, allowed: readonly T[], fallback: T): T | Response {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  const value = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  return value ?? gmailFail(c, 400, 'invalidArgument', `Invalid value at '${name}' (type.googleapis.com/gmail.${name}), "${raw}"`);
}

/** messages.list and threads.list: page size (default 100, at most 500), page token, filter. */
export function listParams(c: GmailContext): { max: number; cursor: Cursor | null; filter: ListFilter } | Response {
  const max = maxResults(c, 100, 500);
  if (max instanceof Response) return max;
  const cursor = pageCursor(c);
  if (cursor instanceof Response) return cursor;
  const includeSpamTrash = flag(c, 'includeSpamTrash');
  if (includeSpamTrash instanceof Response) return includeSpamTrash;
  const q = c.req.query('q');
  if (q && metadataOnly(c.get('session').scopes)) return gmailFail(c, 403, 'forbidden', "Metadata scope does not support 'q' parameter");
  const { userLabels } = c.get('session').state;
  return { max, cursor, filter: compileFilter(c.req.queries('labelIds') ?? [], q ? parseQuery(q, Date.now()) : null, includeSpamTrash, userLabels) };
}

/**
 * messages.get and threads.get: the id (hex; anything else is malformed, 400, not unknown, 404)
 * and a format the token may read (the metadata scope allows minimal and metadata only).
 */
export function getParams<T extends MessageFormat>(c: GmailContext, formats: readonly T[], fallback: T): { id: string; format: T } | Response {
  const id = c.req.param('id') ?? '';
  if (!/^[0-9a-f]{1,16}$/.test(id)) return gmailFail(c, 400, 'invalidArgument', 'Invalid id value');
  const format = oneOf(c, 'format', formats, fallback);
  if (format instanceof Response) return format;
  if ((format === 'full' || format === 'raw') && metadataOnly(c.get('session').scopes)) {
    return gmailFail(c, 403, 'forbidden', `Metadata scope doesn't allow format ${format.toUpperCase()}`);
  }
  return { id, format };
}
