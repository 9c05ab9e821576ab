import { encodeText, formatAddress, formatAddressList, formatDate } from './headers';
import {
  COMPANY_FIRST,
  COMPANY_SECOND,
  CUSTOMER_SUBJECTS,
  FIRST_NAMES,
  FORUMS,
  INTERNAL_SUBJECTS,
  LAST_NAMES,
  PERSONAL_SUBJECTS,
  SENTENCES,
  SOCIAL,
  SPAM_DOMAINS,
  VENDORS,
} from './people';
import { Rng } from './rng';
import type {
  Box,
  Category,
  MessageKind,
  SeedAddress,
  SeedCompany,
  SeedContact,
  SeedMailbox,
  SeedMessage,
  SeedOptions,
  SizeName,
  World,
} from './types';

export const SIZES: Record<SizeName, number> = { demo: 500, '10k': 10_000, '100k': 100_000 };
export const WORKSPACE_DOMAIN = 'acme-sales.test';
/** A law firm the workspace never logs mail with (blocked domain, R21). */
export const BLOCKED_DOMAIN = 'brightline-legal.test';
/** A rep's private address that must never reach the CRM (blocked address, R21). */
export const BLOCKED_ADDRESS = 'pat.private@gmail.com';

const DAY = 86_400_000;
/** Messages span a little more than the longest backfill (365 days). */
const SPAN_DAYS = 400;

/** The three seeded mailboxes: a rep on Gmail, a shared support inbox on Outlook, a personal-scope Gmail. */
export const SEED_MAILBOXES: SeedMailbox[] = [
  {
    id: 'riley',
    provider: 'gmail',
    address: `riley@${WORKSPACE_DOMAIN}`,
    displayName: 'Riley Rep',
    replyTo: `sales@${WORKSPACE_DOMAIN}`,
    aliases: [`riley.sales@${WORKSPACE_DOMAIN}`],
    scope: 'sales',
    kind: 'personal',
    timeZone: 'Europe/Berlin',
  },
  {
    id: 'support',
    provider: 'outlook',
    address: `support@${WORKSPACE_DOMAIN}`,
    displayName: 'Acme Support',
    replyTo: null,
    aliases: [`help@${WORKSPACE_DOMAIN}`],
    scope: 'support',
    kind: 'shared',
    timeZone: 'W. Europe Standard Time',
  },
  {
    id: 'sam',
    provider: 'gmail',
    address: `sam@${WORKSPACE_DOMAIN}`,
    displayName: 'Sam Founder',
    replyTo: null,
    aliases: [],
    scope: 'personal',
    kind: 'personal',
    timeZone: 'Europe/London',
  },
];

const MAILBOX_WEIGHTS: Record<string, number> = { riley: 50, support: 38, sam: 12 };

/** Story mix per provider: Gmail has category tabs and chats, Outlook has neither. */
const GMAIL_KINDS: Record<MessageKind, number> = {
  customer: 28, newsletter: 14, personal: 8, internal: 12, notification: 9, promotion: 9, social: 5, forum: 4,
  spam: 6, chat: 3, malformed: 2,
};
const OUTLOOK_KINDS: Record<MessageKind, number> = {
  customer: 38, newsletter: 14, personal: 3, internal: 16, notification: 12, promotion: 0, social: 0, forum: 0,
  spam: 10, chat: 0, malformed: 2,
};

interface Person {
  name: string;
  /** Primary address. */
  email: string;
  contact: SeedContact | null;
  company: SeedCompany | null;
}

/** Generates the world for `options`. Pure: same options, same world. */
export function generateWorld(options: SeedOptions): World {
  const rng = new Rng(options.seed);
  const total = typeof options.size === 'number' ? options.size : SIZES[options.size];
  const people = makePeople(rng, total);
  const builder = new MessageBuilder(rng, options.now);

  while (builder.count < total) {
    const mailboxId = rng.weighted(MAILBOX_WEIGHTS);
    const mailbox = SEED_MAILBOXES.find((m) => m.id === mailboxId)!;
    const kind = rng.weighted(mailbox.provider === 'gmail' ? GMAIL_KINDS : OUTLOOK_KINDS);
    STORIES[kind](builder, mailbox, people, rng);
  }
  const messages = builder.messages.slice(0, total);
  messages.sort((a, b) => a.mailboxId.localeCompare(b.mailboxId) || a.internalDate - b.internalDate || a.providerId.localeCompare(b.providerId));

  return {
    options,
    policy: { workspaceDomains: [WORKSPACE_DOMAIN], blockedAddresses: [BLOCKED_ADDRESS], blockedDomains: [BLOCKED_DOMAIN] },
    companies: people.companies,
    contacts: people.contacts,
    mailboxes: SEED_MAILBOXES,
    messages,
  };
}

/** Serialises a world to the bytes the determinism test compares. */
export function serializeWorld(world: World): string {
  return JSON.stringify(world);
}

// ---------------------------------------------------------------------------------------------
// People

interface People {
  companies: SeedCompany[];
  contacts: SeedContact[];
  /** CRM contacts by company id. */
  contactsByCompany: Map<string, Person[]>;
  /** People at customer companies who are not in the CRM. */
  strangersByCompany: Map<string, Person[]>;
  customerCompanies: SeedCompany[];
  blockedCompany: SeedCompany;
  colleagues: Person[];
  friends: Person[];
}

function makePeople(rng: Rng, total: number): People {
  const companyCount = Math.min(220, Math.max(6, Math.round(total / 450)));
  const companies: SeedCompany[] = [];
  const domains = new Set<string>();
  for (let i = 0; companies.length < companyCount; i++) {
    const name = `${rng.pick(COMPANY_FIRST)} ${rng.pick(COMPANY_SECOND)}`;
    let domain = `${name.toLowerCase().replace(/\s+/g, '-')}.test`;
    if (domains.has(domain)) domain = domain.replace('.test', `-${i}.test`);
    domains.add(domain);
    companies.push({ id: `co-${companies.length + 1}`, name, domain });
  }
  const blockedCompany = { id: `co-${companies.length + 1}`, name: 'Brightline Legal', domain: BLOCKED_DOMAIN };
  companies.push(blockedCompany);

  const contacts: SeedContact[] = [];
  const contactsByCompany = new Map<string, Person[]>();
  const strangersByCompany = new Map<string, Person[]>();
  const usedEmails = new Set<string>();
  const created = Date.UTC(2024, 0, 1);

  for (const company of companies) {
    const inCrm: Person[] = [];
    const strangers: Person[] = [];
    const size = rng.int(3, 6) + 2;
    for (let i = 0; i < size; i++) {
      const [first, firstSlug] = rng.pick(FIRST_NAMES);
      const [last, lastSlug] = rng.pick(LAST_NAMES);
      const freelancer = rng.chance(0.06);
      let local = freelancer ? `${firstSlug}.${lastSlug}` : `${firstSlug}.${lastSlug}`;
      const domain = freelancer ? 'gmail.com' : company.domain;
      while (usedEmails.has(`${local}@${domain}`)) local = `${local}${rng.int(2, 99)}`;
      const email = `${local}@${domain}`;
      usedEmails.add(email);
      const name = `${first} ${last}`;
      // The last two people of every company are not in the CRM.
      if (i >= size - 2) {
        strangers.push({ name, email, contact: null, company });
        continue;
      }
      const additional: string[] = [];
      if (rng.chance(0.2)) {
        const extra = rng.chance(0.5) ? `${firstSlug}${lastSlug}${rng.int(1, 99)}@gmail.com` : `${firstSlug[0]}${lastSlug}@${company.domain}`;
        if (!usedEmails.has(extra)) {
          usedEmails.add(extra);
          additional.push(extra);
        }
      }
      const createdAt = created + rng.int(0, 600) * DAY;
      const contact: SeedContact = {
        id: `ct-${contacts.length + 1}`,
        name,
        companyId: company.id,
        // A few contacts were typed into the CRM with capitals; matching must not care.
        primaryEmail: rng.chance(0.04) ? capitalise(email) : email,
        additionalEmails: additional,
        createdAt,
        updatedAt: createdAt + rng.int(0, 200) * DAY,
      };
      contacts.push(contact);
      inCrm.push({ name, email, contact, company });
    }
    contactsByCompany.set(company.id, inCrm);
    strangersByCompany.set(company.id, strangers);
  }

  const colleagues = Array.from({ length: 8 }, (_, i) => {
    const [first, firstSlug] = FIRST_NAMES[(i * 7) % FIRST_NAMES.length]!;
    const [last, lastSlug] = LAST_NAMES[(i * 3 + 5) % LAST_NAMES.length]!;
    return { name: `${first} ${last}`, email: `${firstSlug}.${lastSlug}@${WORKSPACE_DOMAIN}`, contact: null, company: null };
  });
  const friends: Person[] = [
    { name: 'Pat Private', email: BLOCKED_ADDRESS, contact: null, company: null },
    ...Array.from({ length: 9 }, (_, i) => {
      const [first, firstSlug] = FIRST_NAMES[(i * 5 + 2) % FIRST_NAMES.length]!;
      const host = i % 3 === 0 ? 'outlook.com' : 'gmail.com';
      return { name: first, email: `${firstSlug}.friend${i}@${host}`, contact: null, company: null };
    }),
  ];

  return {
    companies,
    contacts,
    contactsByCompany,
    strangersByCompany,
    customerCompanies: companies.filter((c) => c !== blockedCompany),
    blockedCompany,
    colleagues,
    friends,
  };
}

function capitalise(email: string): string {
  const [local, domain] = email.split('@') as [string, string];
  return `${local.replace(/(^|\.)([a-z])/g, (_, dot: string, ch: string) => dot + ch.toUpperCase())}@${domain.toUpperCase()}`;
}

// ---------------------------------------------------------------------------------------------
// Messages

interface Draft {
  mailbox: SeedMailbox;
  kind: MessageKind;
  box: Box;
  category: Category | null;
  date: number;
  from: SeedAddress | null;
  to: SeedAddress[];
  cc?: SeedAddress[];
  bcc?: SeedAddress[];
  replyTo?: SeedAddress[];
  subject: string;
  body: string;
  threadId: string | null;
  inReplyTo?: string | null;
  extraHeaders?: [string, string][];
  /** Replaces the rendered header of that name, for malformed mail. */
  rawOverrides?: Record<string, string | null>;
  noMessageId?: boolean;
}

class MessageBuilder {
  readonly messages: SeedMessage[] = [];
  private counter = 0;

  constructor(
    private readonly rng: Rng,
    readonly now: number,
  ) {}

  get count(): number {
    return this.messages.length;
  }

  /** A start date somewhere in the window, leaving room for a thread to continue. */
  startDate(): number {
    return this.now - this.rng.int(1, SPAN_DAYS * 24 * 60) * 60_000;
  }

  /** The next message time in a thread: minutes to days later, never after `now`. */
  later(date: number): number {
    return Math.min(this.now - 60_000, date + this.rng.int(10, 3 * 24 * 60) * 60_000);
  }

  providerId(mailbox: SeedMailbox, date: number): string {
    this.counter++;
    if (mailbox.provider === 'gmail') {
      return date.toString(16).padStart(11, '0').slice(-11) + (this.counter % 0x100000).toString(16).padStart(5, '0');
    }
    return `AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A${base64url(this.rng.bytes(18))}${this.counter.toString(36)}`;
  }

  conversationId(mailbox: SeedMailbox, firstId: string): string {
    return mailbox.provider === 'gmail' ? firstId : `AAQkAD${base64url(this.rng.bytes(24))}`;
  }

  messageIdFor(from: SeedAddress | null): string {
    const domain = from?.address.split('@')[1]?.toLowerCase() ?? 'unknown.test';
    const token = base64url(this.rng.bytes(12));
    if (domain === 'gmail.com' || domain === 'googlemail.com') return `<CA+${token}@mail.gmail.com>`;
    if (domain === WORKSPACE_DOMAIN) return `<${token}@${domain}>`;
    return `<${token.toLowerCase()}.${this.counter}@mx.${domain}>`;
  }

  /** Adds one message and returns it; its Message-ID is fresh unless `messageId` is given. */
  add(draft: Draft, messageId?: string | null): SeedMessage {
    const providerId = this.providerId(draft.mailbox, draft.date);
    const threadId = draft.threadId ?? this.conversationId(draft.mailbox, providerId);
    const id = messageId !== undefined ? messageId : draft.noMessageId ? null : this.messageIdFor(draft.from);
    const cc = draft.cc ?? [];
    const bcc = draft.bcc ?? [];
    const replyTo = draft.replyTo ?? [];
    const preferQ = this.rng.chance(0.5);
    const headers: [string, string][] = [];
    const put = (name: string, value: string) => {
      const override = draft.rawOverrides?.[name];
      if (override === null) return;
      headers.push([name, override ?? value]);
    };
    if (draft.box === 'inbox' || draft.box === 'spam') put('Delivered-To', draft.mailbox.address);
    put('MIME-Version', '1.0');
    put('Date', formatDate(draft.date, this.rng.pick([0, 60, -300, 330, 120])));
    if (id) put('Message-ID', id);
    if (draft.inReplyTo) {
      put('In-Reply-To', draft.inReplyTo);
      put('References', draft.inReplyTo);
    }
    put('Subject', encodeText(draft.subject, preferQ));
    // A raw override may stand where the structured field is empty (malformed mail).
    if (draft.from || draft.rawOverrides?.From) put('From', draft.from ? formatAddress(draft.from, { preferQ }) : '');
    if (draft.to.length || draft.rawOverrides?.To) put('To', formatAddressList(draft.to, { preferQ }));
    if (cc.length) put('Cc', formatAddressList(cc, { preferQ }));
    // Only the sender's own copy keeps Bcc (sent mail and drafts).
    if (bcc.length && (draft.box === 'sent' || draft.box === 'draft')) put('Bcc', formatAddressList(bcc, { preferQ }));
    if (replyTo.length) put('Reply-To', formatAddressList(replyTo, { preferQ }));
    for (const [name, value] of draft.extraHeaders ?? []) put(name, value);
    put('Content-Type', 'text/plain; charset="UTF-8"');

    const message: SeedMessage = {
      mailboxId: draft.mailbox.id,
      providerId,
      threadId,
      internalDate: draft.date,
      messageId: id,
      subject: draft.subject,
      from: draft.from,
      to: draft.to,
      cc,
      bcc: draft.box === 'sent' || draft.box === 'draft' ? bcc : [],
      replyTo,
      headers,
      body: draft.body,
      box: draft.box,
      category: draft.mailbox.provider === 'gmail' && draft.box === 'inbox' ? draft.category ?? 'primary' : null,
      unread: draft.box === 'inbox' && this.rng.chance(0.2),
      kind: draft.kind,
    };
    this.messages.push(message);
    return message;
  }

  /** The same delivered message in another mailbox (same Message-ID, R15). */
  copyInto(message: SeedMessage, draft: Draft, mailbox: SeedMailbox, threadId: string): SeedMessage {
    return this.add({ ...draft, mailbox, box: 'inbox', threadId }, message.messageId);
  }

  body(): string {
    const count = this.rng.int(2, 4);
    return Array.from({ length: count }, () => this.rng.pick(SENTENCES)).join(' ');
  }
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** An address for the mailbox owner: its primary address, or sometimes an alias. */
function ownAddress(mailbox: SeedMailbox, rng: Rng): SeedAddress {
  const address = mailbox.aliases.length && rng.chance(0.1) ? rng.pick(mailbox.aliases) : mailbox.address;
  return { name: mailbox.displayName, address };
}

/**
 * How a person's address appears on a message: mostly as stored, sometimes in other case, with
 * a +tag, through an additional address, or for Gmail users with dots moved and googlemail.com.
 */
function written(person: Person, rng: Rng): SeedAddress {
  let address = person.email;
  const roll = rng.next();
  const [local, domain] = address.split('@') as [string, string];
  if (person.contact?.additionalEmails.length && roll < 0.12) address = rng.pick(person.contact.additionalEmails);
  else if (domain === 'gmail.com' && roll < 0.5) {
    const plain = local.replace(/\./g, '');
    const dotted = plain.split('').join(rng.chance(0.5) ? '.' : '');
    address = `${rng.chance(0.5) ? dotted : plain}${rng.chance(0.5) ? '+work' : ''}@${rng.chance(0.5) ? 'googlemail.com' : 'gmail.com'}`;
  } else if (roll < 0.2) address = `${local.toUpperCase()}@${domain}`;
  else if (roll < 0.24) address = `${local}@${domain.toUpperCase()}`;
  else if (roll < 0.27) address = `${local}+support@${domain}`;
  const nameRoll = rng.next();
  const [first, ...rest] = person.name.split(' ');
  const name = nameRoll < 0.72 ? person.name : nameRoll < 0.8 ? null : nameRoll < 0.9 ? `${rest.join(' ')}, ${first}` : person.name.toLowerCase();
  return { name, address };
}

const plain = (person: Person): SeedAddress => ({ name: person.name, address: person.email });

type Story = (b: MessageBuilder, mailbox: SeedMailbox, people: People, rng: Rng) => void;

/** A conversation with customers: 1–12 messages, sent and received, sometimes copied to support. */
const customerStory: Story = (b, mailbox, people, rng) => {
  const company = rng.chance(0.04) ? people.blockedCompany : rng.pick(people.customerCompanies);
  const crm = people.contactsByCompany.get(company.id)!;
  const strangers = people.strangersByCompany.get(company.id)!;
  const customers = [rng.pick(crm)];
  if (rng.chance(0.25)) customers.push(rng.pick(crm));
  // Sometimes the customer side is someone the CRM does not know yet.
  if (rng.chance(0.15)) customers[0] = rng.pick(strangers);
  const colleague = rng.chance(0.2) ? rng.pick(people.colleagues) : null;
  const length = rng.chance(0.45) ? 1 : rng.int(2, 12);
  const subject = rng.pick(CUSTOMER_SUBJECTS);
  const support = SEED_MAILBOXES.find((m) => m.id === 'support')!;
  let supportThread: string | null = null;
  let threadId: string | null = null;
  let previous: string | null = null;
  let date = b.startDate();
  let received = rng.chance(0.65);

  for (let i = 0; i < length && date < b.now; i++) {
    const customer = rng.pick(customers);
    const others = customers.filter((c) => c !== customer).map((c) => written(c, rng));
    const draft: Draft = received
      ? {
          mailbox, kind: 'customer', box: 'inbox', category: 'primary', date,
          from: written(customer, rng),
          to: [ownAddress(mailbox, rng)],
          cc: [...others, ...(colleague ? [plain(colleague)] : [])],
          subject: i === 0 ? subject : `Re: ${subject}`, body: b.body(), threadId, inReplyTo: previous,
        }
      : {
          mailbox, kind: 'customer', box: rng.chance(0.03) && i === length - 1 ? 'draft' : 'sent', category: null, date,
          from: ownAddress(mailbox, rng),
          to: [plain(customer), ...others],
          cc: colleague ? [plain(colleague)] : [],
          bcc: rng.chance(0.05) ? [plain(rng.pick(crm))] : [],
          subject: i === 0 ? subject : `Re: ${subject}`, body: b.body(), threadId, inReplyTo: previous,
        };
    // The customer copied the shared support inbox: the same message lands there too (R15).
    const copyToSupport = received && mailbox.id === 'riley' && rng.chance(0.1);
    if (copyToSupport) draft.cc = [...(draft.cc ?? []), { name: support.displayName, address: support.address }];
    if (rng.chance(0.03)) draft.box = 'trash';
    const message = b.add(draft);
    threadId ??= message.threadId;
    previous = message.messageId;
    if (copyToSupport) {
      supportThread ??= b.conversationId(support, '');
      b.copyInto(message, draft, support, supportThread);
    }
    date = b.later(date);
    received = rng.chance(0.5) ? !received : received;
  }
};

const newsletterStory: Story = (b, mailbox, people, rng) => {
  const vendor = rng.pick(VENDORS);
  // Some bulk mail is sent in a real contact's name through a mailing tool.
  const company = rng.pick(people.customerCompanies);
  const fromContact = rng.chance(0.15) ? rng.pick(people.contactsByCompany.get(company.id)!) : null;
  const from = fromContact ? plain(fromContact) : { name: vendor.name, address: `${vendor.local}@${vendor.domain}` };
  const listDomain = fromContact ? company.domain : vendor.domain;
  const extra: [string, string][] = [];
  if (rng.chance(0.85)) extra.push(['List-Unsubscribe', `<mailto:unsubscribe@${listDomain}?subject=unsubscribe>, <https://${listDomain}/u/${rng.int(1000, 9999)}>`]);
  if (rng.chance(0.5) || extra.length === 0) extra.push(['List-Id', `${vendor.name} <weekly.${listDomain}>`]);
  if (rng.chance(0.4)) extra.push(['Precedence', rng.pick(['bulk', 'list', 'Bulk'])]);
  b.add({
    mailbox, kind: 'newsletter', box: 'inbox', category: rng.weighted({ promotions: 4, updates: 3, primary: 3 }),
    date: b.startDate(), from, to: [{ name: null, address: mailbox.address }], subject: `${vendor.name}: this week`, body: b.body(),
    threadId: null, extraHeaders: extra,
  });
};

const personalStory: Story = (b, mailbox, people, rng) => {
  const friend = rng.pick(people.friends);
  const subject = rng.pick(PERSONAL_SUBJECTS);
  let date = b.startDate();
  let threadId: string | null = null;
  let previous: string | null = null;
  for (let i = 0, n = rng.int(1, 4); i < n; i++) {
    const received = i % 2 === 0;
    const message = b.add({
      mailbox, kind: 'personal', box: received ? 'inbox' : 'sent', category: 'primary', date,
      from: received ? written(friend, rng) : ownAddress(mailbox, rng),
      to: received ? [ownAddress(mailbox, rng)] : [plain(friend)],
      subject: i === 0 ? subject : `Re: ${subject}`, body: b.body(), threadId, inReplyTo: previous,
    });
    threadId ??= message.threadId;
    previous = message.messageId;
    date = b.later(date);
  }
};

const internalStory: Story = (b, mailbox, people, rng) => {
  const colleague = rng.pick(people.colleagues);
  const other = rng.pick(people.colleagues);
  const subject = rng.pick(INTERNAL_SUBJECTS);
  let date = b.startDate();
  let threadId: string | null = null;
  for (let i = 0, n = rng.int(1, 5); i < n; i++) {
    const received = rng.chance(0.5);
    const message = b.add({
      mailbox, kind: 'internal', box: received ? 'inbox' : 'sent', category: 'primary', date,
      from: received ? plain(colleague) : ownAddress(mailbox, rng),
      to: received ? [ownAddress(mailbox, rng)] : [plain(colleague)],
      cc: other !== colleague && rng.chance(0.3) ? [plain(other)] : [],
      subject: i === 0 ? subject : `Re: ${subject}`, body: b.body(), threadId,
    });
    threadId ??= message.threadId;
    date = b.later(date);
  }
};

/** Automated mail: system notifications, and contacts' out-of-office replies. */
const notificationStory: Story = (b, mailbox, people, rng) => {
  const outOfOffice = rng.chance(0.3);
  const contact = rng.pick(people.contactsByCompany.get(rng.pick(people.customerCompanies).id)!);
  const vendor = rng.pick(VENDORS);
  b.add({
    mailbox, kind: 'notification', box: 'inbox', category: outOfOffice ? 'primary' : 'updates', date: b.startDate(),
    from: outOfOffice ? written(contact, rng) : { name: vendor.name, address: `noreply@${vendor.domain}` },
    to: [{ name: null, address: mailbox.address }],
    subject: outOfOffice ? 'Automatic reply: Out of office' : `${vendor.name} receipt`,
    body: outOfOffice ? 'I am out of the office until Monday with limited access to email.' : b.body(),
    threadId: null,
    extraHeaders: [['Auto-Submitted', outOfOffice ? 'auto-replied' : 'auto-generated']],
  });
};

/** Gmail category tabs; sometimes a real contact lands there too (the tab still excludes it). */
function tabStory(kind: 'promotion' | 'social' | 'forum', category: Category, senders: typeof VENDORS): Story {
  return (b, mailbox, people, rng) => {
    const source = rng.pick(senders);
    const contact = rng.chance(0.15) ? rng.pick(people.contactsByCompany.get(rng.pick(people.customerCompanies).id)!) : null;
    b.add({
      mailbox, kind, box: 'inbox', category, date: b.startDate(),
      from: contact ? written(contact, rng) : { name: source.name, address: `${source.local}@${source.domain}` },
      to: [{ name: null, address: kind === 'forum' ? `${source.local}@${source.domain}` : mailbox.address }],
      subject: `${source.name}: ${rng.pick(['New for you', 'Weekly highlights', 'You have 3 new updates'])}`,
      body: b.body(), threadId: null,
    });
  };
}

const spamStory: Story = (b, mailbox, people, rng) => {
  const spoof = rng.chance(0.1) ? rng.pick(people.contactsByCompany.get(rng.pick(people.customerCompanies).id)!) : null;
  const domain = rng.pick(SPAM_DOMAINS);
  b.add({
    mailbox, kind: 'spam', box: 'spam', category: null, date: b.startDate(),
    from: spoof ? plain(spoof) : { name: 'Prize Department', address: `winner${rng.int(1, 999)}@${domain}` },
    to: [{ name: null, address: mailbox.address }],
    subject: rng.pick(['You have won!!!', 'URGENT invoice overdue', 'Double your money']), body: 'Click here now.', threadId: null,
  });
};

const chatStory: Story = (b, mailbox, people, rng) => {
  const contact = rng.pick(people.contactsByCompany.get(rng.pick(people.customerCompanies).id)!);
  const partner = rng.chance(0.5) ? contact : rng.pick(people.colleagues);
  b.add({
    mailbox, kind: 'chat', box: 'chat', category: null, date: b.startDate(),
    from: plain(partner), to: [ownAddress(mailbox, rng)], subject: `Chat with ${partner.name}`, body: b.body(), threadId: null,
  });
};

/** Mail with headers real clients get wrong; the structured fields say what a correct parser finds. */
const malformedStory: Story = (b, mailbox, people, rng) => {
  const contact = rng.pick(people.contactsByCompany.get(rng.pick(people.customerCompanies).id)!);
  const base: Draft = {
    mailbox, kind: 'malformed', box: 'inbox', category: 'primary', date: b.startDate(),
    from: plain(contact), to: [ownAddress(mailbox, rng)], subject: 'Re: your message', body: b.body(), threadId: null,
  };
  switch (rng.int(0, 4)) {
    case 0: // No Message-ID at all: the provider id must identify it.
      b.add({ ...base, noMessageId: true });
      break;
    case 1: // An unterminated encoded word in the display name; the address is fine.
      b.add({ ...base, from: { name: null, address: contact.email }, rawOverrides: { From: `=?UTF-8?Q?${contact.name.split(' ')[0]}_Bro=E9 <${contact.email}>` } });
      break;
    case 2: // Group syntax with no members in To; the contact is in Cc.
      b.add({ ...base, from: ownAddress(mailbox, rng), to: [], cc: [plain(contact)], box: 'sent', rawOverrides: { To: 'undisclosed-recipients:;' } });
      break;
    case 3: { // A bare upper-case address without angle brackets.
      const upper = contact.email.toUpperCase();
      b.add({ ...base, from: { name: null, address: upper }, rawOverrides: { From: upper } });
      break;
    }
    default: // A Date header no parser can read; the provider's own date still orders the mail.
      b.add({ ...base, rawOverrides: { Date: 'Tue, 31 Feb 2026 99:99:99 +9999' } });
  }
};

const STORIES: Record<MessageKind, Story> = {
  customer: customerStory,
  newsletter: newsletterStory,
  personal: personalStory,
  internal: internalStory,
  notification: notificationStory,
  promotion: tabStory('promotion', 'promotions', VENDORS),
  social: tabStory('social', 'social', SOCIAL),
  forum: tabStory('forum', 'forums', FORUMS),
  spam: spamStory,
  chat: chatStory,
  malformed: malformedStory,
};
