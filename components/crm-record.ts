/**
 * The link to a contact's record in the CRM, or null. The URL comes from the CRM, so it is
 * untrusted: only an http(s) address on the connected CRM's own origin is linked (no
 * `javascript:`, no look-alike host), never one the CRM could point elsewhere.
 */
export function crmRecordLink(url: string | null, crmBaseUrl: string | null): string | null {
  if (!url || !crmBaseUrl || !URL.canParse(url) || !URL.canParse(crmBaseUrl)) return null;
  const record = new URL(url);
  if (record.protocol !== 'https:' && record.protocol !== 'http:') return null;
  if (record.username !== '' || record.password !== '') return null;
  return record.origin === new URL(crmBaseUrl).origin ? record.href : null;
}
