import { z } from 'zod';

/** The Gmail inbox tabs never pushed unless the workspace says otherwise (R21). */
export const DEFAULT_EXCLUDED_CATEGORIES: readonly string[] = ['promotions', 'social', 'updates', 'forums'];

const domainList = z.array(z.string().trim().min(1).max(253)).max(1000);

/**
 * The workspace's privacy rules (R21), edited in the options page: its own domains (mail among
 * them only is internal; seeded from the CRM's `GET /me`), blocked addresses and domains, and the
 * Gmail categories never pushed.
 */
export const privacyRulesSchema = z.object({
  workspaceDomains: domainList,
  blockedAddresses: z.array(z.string().trim().min(3).max(320)).max(5000),
  blockedDomains: domainList,
  excludedCategories: z.array(z.string().trim().min(1).max(64)).max(20),
});
export type PrivacyRules = z.infer<typeof privacyRulesSchema>;

/** The rules before the user or the CRM set any. */
export function defaultPrivacyRules(): PrivacyRules {
  return { workspaceDomains: [], blockedAddresses: [], blockedDomains: [], excludedCategories: [...DEFAULT_EXCLUDED_CATEGORIES] };
}
