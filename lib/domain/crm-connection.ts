import { z } from 'zod';

/** The CRM the user connected in the options page (R8). The token is kept elsewhere. */
export const crmConnectionSchema = z.object({
  baseUrl: z.url(),
  authMethod: z.enum(['oauth', 'personal_token']),
});
export type CrmConnection = z.infer<typeof crmConnectionSchema>;

/**
 * A CRM base URL in one spelling: scheme and host lower-cased, a default port dropped, no trailing
 * slash. The connection, its token account and the issuer its sign-in answers must name (`iss`)
 * all use it, so `https://CRM.example.com:443/` and `https://crm.example.com` are one CRM.
 */
export function canonicalCrmBaseUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
