import { describe, expect, it } from 'vitest';
import { PRIVACY_RULES_LIMITS, privacyRulesFromV1, privacyRulesSchema } from '@/lib/domain';
import { domainOf, normaliseAddress } from '@/lib/matching/address';
import { isBlocked, isInternalOnly, policySets } from '@/lib/matching/skip-rules';
import { PRIVACY_RULES_V1_EDGE_STORAGE, PRIVACY_RULES_V1_STORAGE, PRIVACY_RULES_V2_EDGE_MIGRATED, PRIVACY_RULES_V2_MIGRATED } from '../../fixtures/storage-v1';

const empty = { workspaceDomains: [], blockedAddresses: [], blockedDomains: [], excludedCategories: [] };

/** The issues of an invalid input, as `path → message`. */
function issuesOf(input: unknown): Record<string, string> {
  const result = privacyRulesSchema.safeParse(input);
  if (result.success) throw new Error('expected the rules to be refused');
  return Object.fromEntries(result.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
}

describe('privacy rules (R21)', () => {
  it('normalises entries: trimmed, lower case, no leading @ on domains, repeats dropped', () => {
    const parsed = privacyRulesSchema.parse({
      workspaceDomains: [' ACME-sales.test', '@acme-sales.test', 'eu.acme-sales.test.'],
      blockedAddresses: ['Pat@Example.test ', 'pat@example.test'],
      blockedDomains: ['@Rival.test', 'rival.test', 'müller.de'],
      excludedCategories: ['Promotions ', 'promotions', 'FORUMS'],
    });
    expect(parsed).toEqual({
      workspaceDomains: ['acme-sales.test', 'eu.acme-sales.test'],
      blockedAddresses: ['pat@example.test'],
      blockedDomains: ['rival.test', 'müller.de'],
      excludedCategories: ['promotions', 'forums'],
    });
    expect(privacyRulesSchema.parse(parsed)).toEqual(parsed);
  });

  it.each([
    ['a URL', 'https://acme.test'],
    ['an address', 'ann@acme.test'],
    ['spaces inside', 'acme sales.test'],
    ['a path', 'acme.test/x'],
    ['a port', 'acme.test:443'],
    ['a label starting with a hyphen', '-acme.test'],
    ['an empty entry', '  '],
  ])('refuses %s as a domain, on that entry', (_, domain) => {
    const issues = issuesOf({ ...empty, blockedDomains: ['ok.test', domain] });
    expect(Object.keys(issues)).toEqual(['blockedDomains.1']);
    expect(issues['blockedDomains.1']).toMatch(/is not a domain\. Enter a domain such as acme\.com/);
    expect(Object.keys(issuesOf({ ...empty, workspaceDomains: [domain] }))).toEqual(['workspaceDomains.0']);
  });

  it('accepts a whole top-level domain and `_` in a host: a workspace may block them', () => {
    expect(privacyRulesSchema.parse({ ...empty, blockedDomains: ['RU', 'mail_srv.rival.test.'], blockedAddresses: ['Ops@Mail_Srv.rival.test.'] })).toEqual({
      ...empty,
      blockedDomains: ['ru', 'mail_srv.rival.test'],
      blockedAddresses: ['ops@mail_srv.rival.test'],
    });
  });

  it('refuses a domain among blocked addresses with where it belongs, and a non-address plainly', () => {
    const issues = issuesOf({ ...empty, blockedAddresses: ['ok@acme.test', '@rival.test', 'rival.test', 'nobody', 'a b@acme.test'] });
    expect(issues).toEqual({
      'blockedAddresses.1': expect.stringMatching(/is a domain: add it under blocked domains, or enter a full address such as name@rival\.test/),
      'blockedAddresses.2': expect.stringMatching(/is a domain: add it under blocked domains/),
      'blockedAddresses.3': expect.stringMatching(/is not an email address/),
      'blockedAddresses.4': expect.stringMatching(/is not an email address/),
    });
  });

  it("accepts only Gmail's four categories besides Primary", () => {
    expect(issuesOf({ ...empty, excludedCategories: ['social', 'primary', 'spam'] })).toEqual({
      'excludedCategories.1': expect.stringMatching(/“primary” is not a Gmail category\. Choose from promotions, social, updates and forums\./),
      'excludedCategories.2': expect.stringMatching(/“spam” is not a Gmail category/),
    });
  });

  it('refuses a field that is missing or not a list', () => {
    expect(Object.keys(issuesOf({ ...empty, blockedDomains: 'rival.test' }))).toEqual(['blockedDomains']);
    expect(Object.keys(issuesOf({ workspaceDomains: [], blockedAddresses: [], blockedDomains: [] }))).toEqual(['excludedCategories']);
  });
});

describe('privacy rules version 1 → 2', () => {
  it('migrates the frozen v1 fixture', () => {
    expect(privacyRulesFromV1(structuredClone(PRIVACY_RULES_V1_STORAGE.privacyRules))).toEqual(PRIVACY_RULES_V2_MIGRATED);
  });

  it('is idempotent: a v2 value read as v1 comes out unchanged', () => {
    expect(privacyRulesFromV1(PRIVACY_RULES_V2_MIGRATED)).toEqual(PRIVACY_RULES_V2_MIGRATED);
  });

  it('never blocks less: every v1 block that could match an address is still a block', () => {
    const migrated = privacyRulesFromV1({ ...empty, blockedAddresses: ['X@Rival.test', 'rival2.test'], blockedDomains: ['@Rival3.test'] });
    expect(migrated).toEqual({ ...empty, blockedAddresses: ['x@rival.test'], blockedDomains: ['rival3.test', 'rival2.test'] });
  });

  it('keeps every rule v1 enforced: a top-level domain, a trailing dot, `_` in a host, a one-label workspace domain', () => {
    const v1 = structuredClone(PRIVACY_RULES_V1_EDGE_STORAGE.privacyRules) as unknown as typeof empty;
    const migrated = privacyRulesFromV1(v1);
    expect(migrated).toEqual(PRIVACY_RULES_V2_EDGE_MIGRATED);
    // Judged by the matcher itself: what v1's rules blocked or called internal, v2's still do.
    const [before, after] = [policySets(v1), policySets(migrated)];
    const mail = ['ivan@mail.ru', 'ceo@rival.test', 'ops@mail_srv.rival2.test', 'a@legal.test', 'b@eu.mail_srv.rival4.test'];
    for (const address of mail.map(normaliseAddress)) {
      expect(isBlocked([address], before), address).toBe(true);
      expect(isBlocked([address], after), address).toBe(true);
    }
    for (const address of ['x@hq.corp', 'y@eu.acme-sales.test']) {
      expect(isInternalOnly([address], before) && isInternalOnly([address], after), domainOf(address)).toBe(true);
    }
    // Saved again from the options page, the migrated rules pass as they are.
    expect(privacyRulesSchema.parse(migrated)).toEqual(migrated);
  });

  it('keeps lists longer than the save limits whole, instead of failing or cutting blocks', () => {
    const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
    const v1 = { ...empty, blockedDomains: many(900, (i) => `d${i}.test`), blockedAddresses: many(300, (i) => `a${i}.test`), excludedCategories: many(40, () => 'social') };
    const migrated = privacyRulesFromV1(v1);
    expect(migrated.blockedDomains).toHaveLength(1200);
    expect(migrated.excludedCategories).toEqual(['social']);
    // A save over the limit is refused on the field, in plain words.
    const saved = privacyRulesSchema.safeParse(migrated);
    expect(saved.success).toBe(false);
    expect(saved.error?.issues[0]).toMatchObject({ path: ['blockedDomains'], message: `At most ${PRIVACY_RULES_LIMITS.blockedDomains} domains: remove some to save.` });
  });

  it('refuses a value v1 could not read either', () => {
    expect(() => privacyRulesFromV1({ ...empty, blockedDomains: 'rival.test' })).toThrow();
    expect(() => privacyRulesFromV1(null)).toThrow();
  });
});
