import type { GraphContext } from './graph-context';
import { parsePrefer } from './odata';

export interface Preferences {
  bodyType: 'text' | 'html' | null;
  /** `odata.maxpagesize`, or null when not asked for. */
  maxPageSize: number | null;
  /** `IdType="ImmutableId"`: answer with immutable ids rather than the default ones. */
  immutableIds: boolean;
  /** The `Preference-Applied` header value, or null. */
  applied: string | null;
}

/**
 * The `Prefer` options the mail endpoints honour: `odata.maxpagesize`, `outlook.body-content-type`
 * and `IdType="ImmutableId"` (without it, messages come with their default ids, which change on a move).
 */
export function readPreferences(c: GraphContext): Preferences {
  const prefs = parsePrefer(c.req.header('prefer'));
  const applied: string[] = [];
  const size = Number(prefs.get('odata.maxpagesize'));
  const maxPageSize = Number.isInteger(size) && size > 0 ? Math.min(size, 1000) : null;
  if (maxPageSize !== null) applied.push(`odata.maxpagesize=${maxPageSize}`);
  const type = prefs.get('outlook.body-content-type')?.toLowerCase();
  const bodyType = type === 'text' || type === 'html' ? type : null;
  if (bodyType) applied.push(`outlook.body-content-type="${bodyType}"`);
  const immutableIds = prefs.get('idtype')?.toLowerCase() === 'immutableid';
  if (immutableIds) applied.push('IdType="ImmutableId"');
  return { bodyType, maxPageSize, immutableIds, applied: applied.length ? applied.join(', ') : null };
}

export function appliedHeader(prefs: Preferences): Record<string, string> {
  return prefs.applied ? { 'Preference-Applied': prefs.applied } : {};
}
