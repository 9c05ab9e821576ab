import { z } from 'zod';
import { defaultVisibility, scopeSchema, visibilitySchema } from '../../lib/domain';
import { DEFAULT_EXCLUDED_CATEGORIES, type MatchingPolicy } from '../../lib/matching/skip-rules';
import type { SeedContact, SeedMailbox, SeedMessage, World } from './types';

/** How the product is set up for one seeded mailbox: its scope (R5) and visibility (R22). */
export const mailboxPolicySchema = z.object({ scope: scopeSchema, visibility: visibilitySchema }).strict();
export type MailboxPolicy = z.infer<typeof mailboxPolicySchema>;

/** The settings the ground truth assumes: the workspace's rules (R21) and each mailbox's setup. */
export interface Policy extends MatchingPolicy {
  mailboxes: Record<string, MailboxPolicy>;
}

const domainList = z.array(z.string().trim().min(1));

/** `PUT /__admin/policy`: any part; `mailboxes` entries change only the fields given. */
export const policyPatchSchema = z
  .object({
    workspaceDomains: domainList,
    blockedAddresses: z.array(z.string().trim().min(3)),
    blockedDomains: domainList,
    excludedCategories: z.array(z.string().trim().min(1)),
    mailboxes: z.record(z.string(), mailboxPolicySchema.partial()),
  })
  .partial()
  .strict();
export type PolicyPatch = z.infer<typeof policyPatchSchema>;

/**
 * The policy a world starts with: its workspace rules, Gmail's four non-primary tabs excluded,
 * and each mailbox with its seeded scope and the visibility the product gives that scope.
 */
export function initialPolicy(world: World): Policy {
  return {
    workspaceDomains: [...world.policy.workspaceDomains],
    blockedAddresses: [...world.policy.blockedAddresses],
    blockedDomains: [...world.policy.blockedDomains],
    excludedCategories: [...DEFAULT_EXCLUDED_CATEGORIES],
    mailboxes: Object.fromEntries(world.mailboxes.map((m) => [m.id, { scope: m.scope, visibility: defaultVisibility(m.scope) }])),
  };
}

/** A user's decision on one thread of one mailbox (R27): "don't sync", or contacts linked by hand. */
export interface ThreadMark {
  mailboxId: string;
  /** Gmail thread id or Graph conversation id: the product's thread key. */
  threadId: string;
  dontSync: boolean;
  contactIds: string[];
}

export const threadMarkSchema = z
  .object({
    /** A mailbox id or one of its addresses. */
    mailbox: z.string().min(1),
    threadId: z.string().min(1),
    dontSync: z.boolean().default(false),
    contactIds: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const threadRefSchema = threadMarkSchema.pick({ mailbox: true, threadId: true });

/** Thread marks, by mailbox and thread. */
export class ThreadMarks {
  private readonly byMailbox = new Map<string, Map<string, ThreadMark>>();

  /** Sets a mark; one that neither blocks nor links is the same as none. */
  set(mark: ThreadMark): void {
    if (!mark.dontSync && mark.contactIds.length === 0) {
      this.clear(mark.mailboxId, mark.threadId);
      return;
    }
    let threads = this.byMailbox.get(mark.mailboxId);
    if (!threads) this.byMailbox.set(mark.mailboxId, (threads = new Map()));
    threads.set(mark.threadId, { ...mark, contactIds: [...new Set(mark.contactIds)].sort() });
  }

  /** Removes a mark; true when there was one. */
  clear(mailboxId: string, threadId: string): boolean {
    return this.byMailbox.get(mailboxId)?.delete(threadId) ?? false;
  }

  get(mailboxId: string, threadId: string): ThreadMark | undefined {
    return this.byMailbox.get(mailboxId)?.get(threadId);
  }

  list(): ThreadMark[] {
    return [...this.byMailbox.values()].flatMap((threads) => [...threads.values()]);
  }

  reset(): void {
    this.byMailbox.clear();
  }
}

/** The live settings of one emulator run: the policy and the thread marks, reset with the world. */
export class TruthSettings {
  policy: Policy;
  readonly marks = new ThreadMarks();

  constructor(world: World) {
    this.policy = initialPolicy(world);
  }

  reset(world: World): void {
    this.policy = initialPolicy(world);
    this.marks.reset();
  }

  /** Applies a validated patch; a mailbox entry must name a mailbox of the world. */
  update(patch: PolicyPatch): void {
    const { mailboxes, ...rules } = patch;
    const next: Policy = { ...this.policy, ...rules, mailboxes: { ...this.policy.mailboxes } };
    for (const [id, change] of Object.entries(mailboxes ?? {})) {
      const current = next.mailboxes[id];
      if (!current) throw new RangeError(`No seeded mailbox "${id}"; known: ${Object.keys(next.mailboxes).join(', ')}`);
      next.mailboxes[id] = { ...current, ...change };
    }
    this.policy = next;
  }
}

/**
 * One message as a mailbox holds it now: the content (addresses, headers) and where it sits, in
 * the product's folder names (Gmail: spam, trash, draft, chat, sent, inbox, or null when
 * archived; Outlook: the provider's `productFolderName`, a well-known name or a user folder's
 * id) and Gmail's category (primary, promotions, …).
 */
export interface LiveMessage {
  content: SeedMessage;
  folder: string | null;
  category: string | null;
}

/** What the ground truth reads from one emulated service, and how a policy change reaches it. */
export interface TruthSource {
  /** Every message the service's mailboxes hold now. */
  messages?(): Iterable<LiveMessage>;
  /** Every CRM contact now. */
  contacts?(): Iterable<SeedContact>;
  /** Called after `PUT /__admin/policy` (the CRM tells its workspace domains, R21). */
  applyPolicy?(policy: Policy): void;
}

/** The mailbox with this id, or with this address or alias (any case). */
export function findMailbox(mailboxes: readonly SeedMailbox[], idOrAddress: string): SeedMailbox | undefined {
  const wanted = idOrAddress.trim().toLowerCase();
  return mailboxes.find((m) => m.id === idOrAddress || [m.address, ...m.aliases].some((a) => a.toLowerCase() === wanted));
}
