import { contactsByIds, contactsWithAnyEmail, getThreadLink, listMailboxes } from '../db';
import type { Mailbox, Provider, ThreadMailbox, ThreadParticipant } from '../domain';
import { normaliseAddress, parseSingleMailbox } from '../matching/address';
import { addressRole, type PolicySets, policySets, workspaceOwnAddresses } from '../matching/skip-rules';
import type { EngineDeps } from './engine-deps';
import { contactRef, crmOrigin, threadState } from './state';

/** A participant as the webmail page shows it: untrusted text, used only to look up the mirror. */
export interface PageParticipantInput {
  name: string;
  address: string;
}

/** What the sidebar shows for the thread open in the webmail (R26–R28); see `protocol.getThreadView`. */
export interface ThreadView {
  crm: { connected: boolean; origin: string | null };
  participants: ThreadParticipant[];
  mailboxes: ThreadMailbox[];
}

/**
 * The sidebar's view of a thread (R26–R28). Participants: the page's, each once by normalised
 * address in the page's order, those whose address does not parse as one mailbox dropped; each
 * with its role (`addressRole`: self, blocked, internal; else `contact` when the mirror knows the
 * address, else `not_in_crm`). Mailboxes: every connected mailbox of `provider`, with the
 * thread's manual decision and its stored messages' states (`threadState`).
 *
 * Every lookup is by key or index: one indexed get per participant address on the mirror's
 * `emails`, and per mailbox the thread link by key and the thread's verdicts by
 * `[mailboxId+threadKey]`; the mailboxes table is read whole, but it holds a few rows.
 */
export async function threadView(deps: EngineDeps, input: { provider: Provider; threadKey: string; participants: readonly PageParticipantInput[] }): Promise<ThreadView> {
  const { db } = deps;
  const [origin, rules, mailboxes] = await Promise.all([crmOrigin(deps), deps.privacyRules(), listMailboxes(db)]);
  const page = uniqueParticipants(input.participants);
  const [participants, views] = await Promise.all([
    participantRoles(deps, page, workspaceOwnAddresses(mailboxes), policySets(rules), origin),
    Promise.all(mailboxes.filter((m) => m.provider === input.provider).map((m) => mailboxView(deps, m, input.threadKey, origin))),
  ]);
  return { crm: { connected: origin !== null, origin }, participants, mailboxes: views };
}

interface PageAddress {
  name: string;
  address: string;
  normalised: string;
}

/** The page's participants whose address is one mailbox, each normalised address once, in order. */
function uniqueParticipants(participants: readonly PageParticipantInput[]): PageAddress[] {
  const seen = new Map<string, PageAddress>();
  for (const participant of participants) {
    const parsed = parseSingleMailbox(participant.address);
    if (!parsed) continue;
    const normalised = normaliseAddress(parsed.address);
    if (!seen.has(normalised)) seen.set(normalised, { name: participant.name.trim(), address: parsed.address, normalised });
  }
  return [...seen.values()];
}

async function participantRoles(deps: EngineDeps, page: readonly PageAddress[], own: ReadonlySet<string>, policy: PolicySets, origin: string | null): Promise<ThreadParticipant[]> {
  const roles = page.map((p) => addressRole(p.normalised, own, policy));
  // Only external addresses are looked up: a colleague who is also a CRM contact is still internal.
  const external = page.filter((_, i) => roles[i] === null).map((p) => p.normalised);
  // Of several contacts sharing an address, the first by id: the same one every time.
  const contacts = (await contactsWithAnyEmail(deps.db, external)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return page.map((p, i) => {
    const role = roles[i]!;
    if (role !== null) return { name: p.name, address: p.address, role, contact: null };
    const contact = contacts.find((c) => c.emails.includes(p.normalised));
    return contact ? { name: p.name, address: p.address, role: 'contact', contact: contactRef(contact, origin) } : { name: p.name, address: p.address, role: 'not_in_crm', contact: null };
  });
}

async function mailboxView(deps: EngineDeps, mailbox: Mailbox, threadKey: string, origin: string | null): Promise<ThreadMailbox> {
  const [link, messages] = await Promise.all([getThreadLink(deps.db, mailbox.id, threadKey), threadState(deps.db, mailbox.id, threadKey, origin)]);
  const linked = link ? (await contactsByIds(deps.db, link.contactIds)).map((c) => contactRef(c, origin)) : [];
  return {
    mailboxId: mailbox.id,
    address: mailbox.address,
    scope: mailbox.scope,
    status: mailbox.status,
    link: link ? { contacts: linked, dontSync: link.dontSync } : null,
    messages,
  };
}
