import { z } from 'zod';
import { mailboxKindSchema, privacyRulesSchema, sharedMailboxIssues } from '@/lib/domain';

/** The entries of a text area: one a line (commas too), blanks dropped; the rules' schema checks and normalises each. */
function entriesOf(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A list of the privacy rules typed as text; an entry's issue (path `[field, index]`) lands on the field. */
function listField<T extends z.ZodType<unknown, string[]>>(rule: T) {
  return z.string().transform(entriesOf).pipe(rule);
}

const rules = privacyRulesSchema.shape;

/** The workspace's privacy rules (R21) as the form edits them: lists as text, one entry a line. */
export const rulesFormSchema = z.object({
  workspaceDomains: listField(rules.workspaceDomains),
  blockedAddresses: listField(rules.blockedAddresses),
  blockedDomains: listField(rules.blockedDomains),
  excludedCategories: rules.excludedCategories,
});

export const ALL_MAIL = 'all';
export const ONLY = 'only';

/** The labels or folders a mailbox syncs: all mail but the excluded (null), or at least one chosen. */
export const syncOnlySchema = z
  .object({ mode: z.enum([ALL_MAIL, ONLY]), only: z.array(z.string()) })
  .refine((v) => v.mode === ALL_MAIL || v.only.length > 0, { path: ['only'], message: 'Choose at least one label or folder, or sync all mail.' })
  .transform((v) => (v.mode === ALL_MAIL ? null : v.only));

/** Owner, kind and recovery note (R6): a shared mailbox needs an owner and a note, each said on its own field. */
export const detailsSchema = z
  .object({ kind: mailboxKindSchema, owner: z.string().trim().max(200, 'Keep the owner under 200 characters.'), recoveryNote: z.string().trim().max(2000, 'Keep the note under 2,000 characters.') })
  .superRefine((v, ctx) => {
    for (const issue of sharedMailboxIssues({ kind: v.kind, owner: v.owner || null, recoveryNote: v.recoveryNote || null })) {
      ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message });
    }
  })
  .transform((v) => ({ kind: v.kind, owner: v.owner || null, recoveryNote: v.recoveryNote || null }));

/** The safe address of a test email (R31). */
export const testSendSchema = z.object({ to: z.string().trim().pipe(z.email({ error: 'Enter a full email address you read, for example you@example.com.' })) });

/** "Why wasn't this logged?" (R17): a mailbox, and a piece of a subject or an address. */
export const lookupSchema = z.object({
  mailboxId: z.string().min(1, 'Choose a mailbox.'),
  text: z.string().trim().min(2, 'Type at least two characters of a subject, or a whole address.').max(200, 'Type at most 200 characters.'),
});
