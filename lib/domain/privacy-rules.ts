import { z } from 'zod';

/** Gmail's inbox tabs besides Primary: the categories a workspace may exclude (R21). */
export const GMAIL_CATEGORIES = ['promotions', 'social', 'updates', 'forums'] as const;
export type GmailCategory = (typeof GMAIL_CATEGORIES)[number];

/** The Gmail inbox tabs never pushed unless the workspace says otherwise (R21). */
export const DEFAULT_EXCLUDED_CATEGORIES: readonly GmailCategory[] = GMAIL_CATEGORIES;

/**
 * A host name of two labels or more (`acme.com`, `eu.acme.com`): letters (any script), digits and
 * inner hyphens, 63 characters a label at most. No scheme, path, port, `@` or spaces.
 */
const HOSTNAME = /^(?=.{1,253}$)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
/** An address: a local part without spaces or `@`, then a host name. */
const ADDRESS = new RegExp(`^[^\\s@]{1,64}@${HOSTNAME.source.slice(1)}`, 'u');

/** A domain as the rules keep it: trimmed, lower case, without a leading `@` or a trailing dot. */
export function normaliseRuleDomain(raw: string): string {
  return raw.trim().toLowerCase().replace(/^@+/, '').replace(/\.+$/, '');
}

/** An address as the rules keep it: trimmed, lower case (matching folds Gmail's dots and +tags itself). */
export function normaliseRuleAddress(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Whether a normalised entry is a domain the rules can hold. */
export function isRuleDomain(value: string): boolean {
  return HOSTNAME.test(value);
}

/** Whether a normalised entry is an address the rules can hold. */
export function isRuleAddress(value: string): boolean {
  return ADDRESS.test(value);
}

/** A list without repeats, in first-seen order. */
function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

const domainSchema = z
  .string()
  .transform(normaliseRuleDomain)
  .refine(isRuleDomain, { error: (issue) => `“${String(issue.input)}” is not a domain. Enter a domain such as acme.com, without a name before it.` });

const domainList = (max: number) => z.array(domainSchema).max(max, `At most ${max} domains.`).transform(unique);

/**
 * A blocked address. A domain typed here is refused with where it belongs: blocking a whole
 * domain is a separate list, so each entry says exactly what it blocks.
 */
const blockedAddressSchema = z
  .string()
  .transform(normaliseRuleAddress)
  .superRefine((value, ctx) => {
    if (isRuleAddress(value)) return;
    const message = isRuleDomain(normaliseRuleDomain(value))
      ? `“${value}” is a domain: add it under blocked domains, or enter a full address such as name@${normaliseRuleDomain(value)}.`
      : `“${value}” is not an email address. Enter a full address such as name@example.com.`;
    ctx.addIssue({ code: 'custom', message });
  });

const categorySchema = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(GMAIL_CATEGORIES, { error: (issue) => `“${String(issue.input)}” is not a Gmail category. Choose from promotions, social, updates and forums.` }));

/**
 * The workspace's privacy rules (R21), edited in the options page: its own domains (mail among
 * them only is internal), blocked addresses and domains, and the Gmail categories never pushed.
 * Checked strictly, each entry with its own plain message (the issue's path names the entry), and
 * normalised on the way in: trimmed, lower case, a leading `@` dropped from domains, repeats
 * dropped. Parsing a parsed value changes nothing.
 */
export const privacyRulesSchema = z.object({
  workspaceDomains: domainList(1000),
  blockedAddresses: z.array(blockedAddressSchema).max(5000, 'At most 5000 blocked addresses.').transform(unique),
  blockedDomains: domainList(1000),
  excludedCategories: z.array(categorySchema).max(GMAIL_CATEGORIES.length * 4).transform(unique),
});
export type PrivacyRules = z.output<typeof privacyRulesSchema>;
export type PrivacyRulesInput = z.input<typeof privacyRulesSchema>;

/** The rules before the user or the CRM set any. */
export function defaultPrivacyRules(): PrivacyRules {
  return { workspaceDomains: [], blockedAddresses: [], blockedDomains: [], excludedCategories: [...DEFAULT_EXCLUDED_CATEGORIES] };
}

/** The rules as version 1 of the stored item kept them: lists of strings, unchecked. */
const privacyRulesV1Schema = z.object({
  workspaceDomains: z.array(z.string()),
  blockedAddresses: z.array(z.string()),
  blockedDomains: z.array(z.string()),
  excludedCategories: z.array(z.string()),
});

/**
 * The stored rules of version 1 as version 2 keeps them (normalised, strictly valid):
 * - every entry trimmed and in lower case, a leading `@` dropped from domains, repeats dropped;
 * - a blocked "address" that is a domain (`acme.com`, `@acme.com`) moves to the blocked domains:
 *   that is what it was typed for, and it blocks more, never less;
 * - entries that are neither (`not a domain`, a category Gmail does not have) are dropped: they
 *   could never match a participant's address or a message's category, so nothing pushed changes.
 * A value version 1 could not read either is refused (thrown): it was never in force.
 */
export function privacyRulesFromV1(stored: unknown): PrivacyRules {
  const v1 = privacyRulesV1Schema.parse(stored);
  const domains = (list: readonly string[]) => list.map(normaliseRuleDomain).filter(isRuleDomain);
  const addresses = v1.blockedAddresses.map(normaliseRuleAddress);
  const movedDomains = addresses.filter((a) => !isRuleAddress(a)).map(normaliseRuleDomain);
  const categories: readonly string[] = GMAIL_CATEGORIES;
  return privacyRulesSchema.parse({
    workspaceDomains: domains(v1.workspaceDomains),
    blockedAddresses: addresses.filter(isRuleAddress),
    blockedDomains: [...domains(v1.blockedDomains), ...domains(movedDomains)],
    excludedCategories: v1.excludedCategories.map((c) => c.trim().toLowerCase()).filter((c) => categories.includes(c)),
  });
}
