import type { BulkHeaders, SkipReason, Visibility } from '../../lib/domain';
import { normaliseAddress } from '../../lib/matching/address';
import { crmMessageKey } from '../../lib/matching/message-key';
import { classify, type ContactIndex, indexContacts, ownAddresses, type PolicySets, policySets } from '../../lib/matching/skip-rules';
import { bulkHeaders } from '../../lib/providers/normalise';
import type { LiveMessage, MailboxPolicy, Policy, ThreadMarks } from './policy';
import type { SeedContact, SeedMailbox, SeedMessage } from './types';

/*
 * What the product must do with every message the emulated mailboxes hold now, given the CRM's
 * contacts now and the policy the tests set (R15, R19–R23, R21a, R27). Computed on request from
 * the live state, so it follows delivered, moved and relabelled mail, new contacts and thread marks.
 *
 * The rules themselves are the shared pure functions of `lib/matching/skip-rules.ts`; what is the
 * emulator's own here is what each rule is fed: the addresses the seed says a correct parser
 * finds, the folder and category the provider holds now, and the settings in force.
 */

/** The verdict on one message in one mailbox. */
export interface Verdict {
  mailboxId: string;
  providerId: string;
  threadId: string;
  /** When it was received or sent (Gmail `internalDate`, Graph `receivedDateTime`), ms since the epoch. */
  date: number;
  /** The key it is pushed under (`crmMessageKey`): the CRM email's `message_id`. */
  key: string;
  folder: string | null;
  category: string | null;
  push: boolean;
  reason: SkipReason | null;
  /** Linked or matched CRM contacts, sorted; for skipped messages, what matching found. */
  contactIds: string[];
}

/** A field of the CRM's EmailInput. */
export type CrmField = 'message_id' | 'mailbox' | 'direction' | 'from' | 'to' | 'cc' | 'date' | 'thread_key' | 'contact_ids' | 'subject' | 'snippet' | 'body';

/** Fields every pushed email may carry: who, when, direction, thread and contacts (R22 metadata). */
const METADATA_FIELDS: readonly CrmField[] = ['message_id', 'mailbox', 'direction', 'from', 'to', 'cc', 'date', 'thread_key', 'contact_ids'];
const FIELDS: Record<Visibility, readonly CrmField[]> = {
  metadata: METADATA_FIELDS,
  snippet: [...METADATA_FIELDS, 'subject', 'snippet'],
  full: [...METADATA_FIELDS, 'subject', 'snippet', 'body'],
};

/** The EmailInput fields a visibility level allows (R22); Bcc and Reply-To are never among them. */
export function allowedFields(visibility: Visibility): readonly CrmField[] {
  return FIELDS[visibility];
}

const VISIBILITY_RANK: Record<Visibility, number> = { metadata: 0, snippet: 1, full: 2 };

/** One email the CRM must hold once everything is pushed. */
export interface ExpectedCrmEmail {
  /** Its `message_id`. */
  key: string;
  /** The union of the contacts of every copy that pushes it, sorted. */
  contactIds: string[];
  /** The copies that allow the push; the product pushes it once, from any of them. */
  sources: { mailboxId: string; providerId: string; visibility: Visibility }[];
  /** The widest visibility among the sources: what the CRM may receive. */
  visibility: Visibility;
  fields: readonly CrmField[];
}

export interface GroundTruth {
  verdicts: Verdict[];
  crmEmails: ExpectedCrmEmail[];
  counts: { messages: number; pushed: number; skipped: Partial<Record<SkipReason, number>>; crmEmails: number };
}

/** Everything the ground truth is computed from. */
export interface TruthInput {
  mailboxes: readonly SeedMailbox[];
  messages: Iterable<LiveMessage>;
  contacts: Iterable<SeedContact>;
  policy: Policy;
  marks: Pick<ThreadMarks, 'get'>;
  /**
   * Which messages the product is asked about: those of some mailboxes, in a backfill window. The
   * CRM's expected emails then come from these only. All when absent.
   */
  select?: { mailboxIds?: readonly string[]; since?: number };
}

/** Normalised From, To, Cc and Bcc, without repeats; Reply-To is not a participant (R21a). */
export function participantsOf(content: Pick<SeedMessage, 'from' | 'to' | 'cc' | 'bcc'>): string[] {
  const out: string[] = [];
  for (const list of [content.from ? [content.from] : [], content.to, content.cc, content.bcc]) {
    for (const { address } of list) {
      const normalised = normaliseAddress(address);
      if (!out.includes(normalised)) out.push(normalised);
    }
  }
  return out;
}

/** The first value of a header field (any case), as the product's `headerReader` reads it. */
function headerOf(headers: readonly [string, string][], name: string): string | null {
  const wanted = name.toLowerCase();
  for (const [field, value] of headers) if (field.length === wanted.length && field.toLowerCase() === wanted) return value;
  return null;
}

/** What a message's content says, wherever it sits, and the key it is pushed under. */
interface ContentFacts {
  participants: string[];
  bulk: BulkHeaders;
  key: string;
}

/**
 * Content facts per content object. The stores never change a message's content once it is
 * stored (moves and label changes change the folder, not the content), so the facts of a 100k
 * world are worked out once, not on every request.
 */
const contentFacts = new WeakMap<SeedMessage, ContentFacts>();

function factsOf(content: SeedMessage, mailbox: SeedMailbox): ContentFacts {
  let facts = contentFacts.get(content);
  if (!facts) {
    facts = {
      participants: participantsOf(content),
      bulk: bulkHeaders((name) => headerOf(content.headers, name)),
      key: crmMessageKey({ messageId: content.messageId, providerId: content.providerId, provider: mailbox.provider }, mailbox.address),
    };
    contentFacts.set(content, facts);
  }
  return facts;
}

/** CRM contacts as matching reads them: primary and additional emails. */
export function contactIndex(contacts: Iterable<SeedContact>): Map<string, string[]> {
  return indexContacts([...contacts].map((c) => ({ id: c.id, emails: [c.primaryEmail, ...c.additionalEmails] })));
}

interface PreparedMailbox {
  mailbox: SeedMailbox;
  own: Set<string>;
  settings: MailboxPolicy;
}

/** A verdict function over one snapshot of contacts, policy and marks. */
export function createJudge(input: Omit<TruthInput, 'messages'>): (message: LiveMessage) => Verdict {
  const policy: PolicySets = policySets(input.policy);
  const all = [...input.contacts];
  const contacts: ContactIndex = contactIndex(all);
  // A link to a contact the CRM no longer has cannot be pushed: the CRM refuses unknown contacts.
  const known = new Set(all.map((c) => c.id));
  const mailboxes = new Map<string, PreparedMailbox>();
  for (const mailbox of input.mailboxes) {
    const settings = input.policy.mailboxes[mailbox.id];
    if (!settings) throw new RangeError(`The policy has no settings for mailbox "${mailbox.id}".`);
    mailboxes.set(mailbox.id, { mailbox, own: ownAddresses(mailbox), settings });
  }
  return ({ content, folder, category }) => {
    const prepared = mailboxes.get(content.mailboxId);
    if (!prepared) throw new RangeError(`Message ${content.providerId} is in unknown mailbox "${content.mailboxId}".`);
    const mark = input.marks.get(content.mailboxId, content.threadId);
    const { participants, bulk, key } = factsOf(content, prepared.mailbox);
    const linkedContactIds = (mark?.contactIds ?? []).filter((id) => known.has(id));
    const { reason, contactIds } = classify({ participants, bulk, folder, category }, { scope: prepared.settings.scope, own: prepared.own, dontSync: mark?.dontSync ?? false, linkedContactIds }, policy, contacts);
    return {
      mailboxId: content.mailboxId,
      providerId: content.providerId,
      threadId: content.threadId,
      date: content.internalDate,
      key,
      folder,
      category,
      push: reason === null,
      reason,
      contactIds,
    };
  };
}

/**
 * What the CRM must hold after everything is pushed once (R15, R21a): one email per key, from the
 * copies that allow it (a copy in Trash does not stop a copy in an Inbox), with the union of
 * their contacts and the fields their visibility allows.
 */
export function expectedCrmEmails(verdicts: readonly Verdict[], policy: Pick<Policy, 'mailboxes'>): ExpectedCrmEmail[] {
  const emails = new Map<string, { sources: ExpectedCrmEmail['sources']; contactIds: Set<string>; visibility: Visibility }>();
  for (const v of verdicts) {
    if (!v.push) continue;
    const visibility = policy.mailboxes[v.mailboxId]?.visibility ?? 'metadata';
    let email = emails.get(v.key);
    if (!email) emails.set(v.key, (email = { sources: [], contactIds: new Set(), visibility }));
    email.sources.push({ mailboxId: v.mailboxId, providerId: v.providerId, visibility });
    for (const id of v.contactIds) email.contactIds.add(id);
    if (VISIBILITY_RANK[visibility] > VISIBILITY_RANK[email.visibility]) email.visibility = visibility;
  }
  return [...emails].map(([key, email]) => ({ key, contactIds: [...email.contactIds].sort(), sources: email.sources, visibility: email.visibility, fields: allowedFields(email.visibility) }));
}

/** The verdict on every message, the CRM emails they make, and counts. */
export function groundTruth(input: TruthInput): GroundTruth {
  const judge = createJudge(input);
  const verdicts: Verdict[] = [];
  const { mailboxIds, since } = input.select ?? {};
  for (const message of input.messages) {
    if (mailboxIds && !mailboxIds.includes(message.content.mailboxId)) continue;
    if (since !== undefined && message.content.internalDate < since) continue;
    verdicts.push(judge(message));
  }
  const crmEmails = expectedCrmEmails(verdicts, input.policy);
  const skipped: Partial<Record<SkipReason, number>> = {};
  for (const v of verdicts) if (v.reason) skipped[v.reason] = (skipped[v.reason] ?? 0) + 1;
  return { verdicts, crmEmails, counts: { messages: verdicts.length, pushed: verdicts.length - Object.values(skipped).reduce((a, b) => a + b, 0), skipped, crmEmails: crmEmails.length } };
}
