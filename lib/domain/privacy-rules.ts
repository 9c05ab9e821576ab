import { z } from 'zod';

/** Gmail's inbox tabs besides Primary: the categories a workspace may exclude (R21). */
export const GMAIL_CATEGORIES = ['promotions', 'social', 'updates', 'forums'] as const;
export type GmailCategory = (typeof GMAIL_CATEGORIES)[number];

/** The Gmail inbox tabs never pushed unless the workspace says otherwise (R21). */
export const DEFAULT_EXCLUDED_CATEGORIES: readonly GmailCategory[] = GMAIL_CATEGORIES;

/**
 * A host name of one label or more (`acme.com`, `eu.acme.com`, or a whole top-level domain such as
 * `ru`, which a workspace may block): letters (any script), digits, inner hyphens and underscores
 * (mail headers carry `mail_srv.acme.com`, and version 1 matched them), 63 characters a label at
 * most. No scheme, path, port, `@` or spaces: no address in a message can have a domain with those.
 */
const HOSTNAME = /^(?=.{1,253}$)(?:[\p{L}\p{N}_](?:[\p{L}\p{N}_-]{0,61}[\p{L}\p{N}_])?\.)*[\p{L}\p{N}_](?:[\p{L}\p{N}_-]{0,61}[\p{L}\p{N}_])?$/u;
/** An address: a local part without spaces or `@`, then a host name. */
const ADDRESS = new RegExp(`^[^\\s@]+@${HOSTNAME.source.slice(1)}`, 'u');

/**
 * A domain as the rules keep it: trimmed, lower case, without `@` or dots before it nor dots after
 * it (`legal.test.` is the fully qualified `legal.test`), the form matching compares.
 */
export function normaliseRuleDomain(raw: string): string {
  return raw.trim().toLowerCase().replace(/^[@.]+|\.+$/g, '');
}

/**
 * An address as the rules keep it: trimmed, lower case, no trailing dot on its domain (the form
 * matching compares; it folds Gmail's dots and +tags itself).
 */
export function normaliseRuleAddress(raw: string): string {
  const value = raw.trim().toLowerCase();
  return value.lastIndexOf('@') > 0 ? value.replace(/\.+$/, '') : value;
}

/** Whether a normalised entry is a domain the rules can hold. */
export function isRuleDomain(value: string): boolean {
  return HOSTNAME.test(value);
}

/** Whether a normalised entry is an address the rules can hold. */
export function isRuleAddress(value: string): boolean {
  return ADDRESS.test(value);
}

/**
 * The domain a blocked "address" names when it is one of two labels or more (`@acme.com`,
 * `acme.com`), else null: a lone word (`nobody`, `com`) typed as an address is no domain.
 */
function domainTypedAsAddress(value: string): string | null {
  const domain = normaliseRuleDomain(value);
  return domain.includes('.') && isRuleDomain(domain) ? domain : null;
}

/** A list without repeats, in first-seen order. */
function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

const domainSchema = z
  .string()
  .transform(normaliseRuleDomain)
  .refine(isRuleDomain, { error: (issue) => `“${String(issue.input)}” is not a domain. Enter a domain such as acme.com, without a name before it.` });

/**
 * A blocked address. A domain typed here is refused with where it belongs: blocking a whole
 * domain is a separate list, so each entry says exactly what it blocks.
 */
const blockedAddressSchema = z
  .string()
  .transform(normaliseRuleAddress)
  .superRefine((value, ctx) => {
    if (isRuleAddress(value)) return;
    const domain = domainTypedAsAddress(value);
    const message = domain
      ? `“${value}” is a domain: add it under blocked domains, or enter a full address such as name@${domain}.`
      : `“${value}” is not an email address. Enter a full address such as name@example.com.`;
    ctx.addIssue({ code: 'custom', message });
  });

const categorySchema = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(GMAIL_CATEGORIES, { error: (issue) => `“${String(issue.input)}” is not a Gmail category. Choose from promotions, social, updates and forums.` }));

/** The most entries of each list a save may hold, so the options page stays usable. */
export const PRIVACY_RULES_LIMITS = { workspaceDomains: 1000, blockedAddresses: 5000, blockedDomains: 1000, excludedCategories: GMAIL_CATEGORIES.length * 4 } as const;

/** A checked list of `entry`s without repeats, at most `max` long when given. */
function ruleList<T extends z.ZodType<string>>(entry: T, max: number | null, noun: string) {
  const list = z.array(entry);
  return (max === null ? list : list.max(max, `At most ${max} ${noun}: remove some to save.`)).transform(unique);
}

/** The rules' shape, with or without the save limits. */
function rulesSchema(limits: typeof PRIVACY_RULES_LIMITS | null) {
  return z.object({
    workspaceDomains: ruleList(domainSchema, limits && limits.workspaceDomains, 'domains'),
    blockedAddresses: ruleList(blockedAddressSchema, limits && limits.blockedAddresses, 'blocked addresses'),
    blockedDomains: ruleList(domainSchema, limits && limits.blockedDomains, 'domains'),
    excludedCategories: ruleList(categorySchema, limits && limits.excludedCategories, 'categories'),
  });
}

/**
 * The workspace's privacy rules (R21), edited in the options page: its own domains (mail among
 * them only is internal), blocked addresses and domains, and the Gmail categories never pushed.
 * Checked strictly, each entry with its own plain message (the issue's path names the entry), and
 * normalised on the way in: trimmed, lower case, a leading `@` dropped from domains, repeats
 * dropped. Parsing a parsed value changes nothing. A save holds at most `PRIVACY_RULES_LIMITS`.
 */
export const privacyRulesSchema = rulesSchema(PRIVACY_RULES_LIMITS);
export type PrivacyRules = z.output<typeof privacyRulesSchema>;
export type PrivacyRulesInput = z.input<typeof privacyRulesSchema>;

/**
 * The rules as stored and read back: `privacyRulesSchema` without the save limits. Version 1 had
 * none, and a block it enforced is never dropped for a limit: its rules are migrated whole, and
 * the options page shows every entry (a save then asks to remove the surplus, in plain words).
 */
export const storedPrivacyRulesSchema = rulesSchema(null);

/**
 * The stored rules could not be read (a value of the wrong shape): never read as "no rules", so
 * nothing is pushed meanwhile. Saving rules from the options page replaces the unreadable value.
 */
export class PrivacyRulesUnreadableError extends Error {
  override readonly name = 'PrivacyRulesUnreadableError';
  constructor(options?: ErrorOptions) {
    super(
      'The saved privacy rules could not be read, so nothing is pushed to the CRM until they are fixed. Enter your workspace domains, blocked addresses and blocked domains again and save: saving replaces the unreadable rules.',
      options,
    );
  }
}

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
 * The stored rules of version 1 as version 2 keeps them (normalised, strictly valid), blocking
 * exactly what version 1 blocked (its matching normalised each entry the way the rules now do):
 * - every entry trimmed and in lower case, `@` and dots dropped around domains, a trailing dot
 *   dropped from addresses, repeats dropped; a one-label domain (`ru`) and `_` in a host are kept;
 * - a blocked "address" that is a domain of two labels or more (`acme.com`, `@acme.com`) moves to
 *   the blocked domains: that is what it was typed for, and it blocks more, never less;
 * - entries that are neither (`not a domain`, a category Gmail does not have) are dropped: they
 *   could never match a participant's address or a message's category, so nothing pushed changes;
 * - no list is cut to the save limits (`storedPrivacyRulesSchema`).
 * A value version 1 could not read either is refused (thrown): it was never in force.
 */
export function privacyRulesFromV1(stored: unknown): PrivacyRules {
  const v1 = privacyRulesV1Schema.parse(stored);
  const domains = (list: readonly string[]) => list.map(normaliseRuleDomain).filter(isRuleDomain);
  const addresses = v1.blockedAddresses.map(normaliseRuleAddress);
  const movedDomains = addresses.filter((a) => !isRuleAddress(a)).map(domainTypedAsAddress).filter((d) => d !== null);
  const categories: readonly string[] = GMAIL_CATEGORIES;
  return storedPrivacyRulesSchema.parse({
    workspaceDomains: domains(v1.workspaceDomains),
    blockedAddresses: addresses.filter(isRuleAddress),
    blockedDomains: [...domains(v1.blockedDomains), ...movedDomains],
    excludedCategories: v1.excludedCategories.map((c) => c.trim().toLowerCase()).filter((c) => categories.includes(c)),
  });
}
