/**
 * JSON text with every object's keys in sorted order, so two values that differ only in key order
 * give the same text. The CRM fingerprints requests the same way (contract, "Idempotency"), so a
 * key derived from this text changes exactly when the CRM would see another request.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const names = Object.keys(value).sort();
  return Object.fromEntries(names.map((name) => [name, sortKeys((value as Record<string, unknown>)[name])]));
}
