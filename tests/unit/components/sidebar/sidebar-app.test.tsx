import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createContactFormSchema } from '@/components/sidebar/create-contact-form';
import { SidebarApp } from '@/components/sidebar/sidebar-app';
import { fieldErrors } from '@/components/ui/use-zod-form';
import type { SidebarLink } from '@/components/sidebar/sidebar-link';
import { logThreadReason } from '@/components/sidebar/thread-actions';
import { actionMailboxes, canLogOnPurpose, externalParticipants, linkedContacts, storedMatches } from '@/components/sidebar/thread-view';
import { visibleLongEnough } from '@/components/sidebar/use-visible';
import type { ContactRef, MessageSyncState, ThreadMailbox, ThreadParticipant } from '@/lib/domain';
import type { MessageOutput } from '@/lib/messaging';
import type { SidebarState } from '@/lib/webmail/channel';

const CRM = 'https://crm.example.test';
const dana: ContactRef = { id: 'c-dana', name: 'Dana Buyer', company: 'Buyer Co', url: `${CRM}/contacts/c-dana` };
const EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

const participants: ThreadParticipant[] = [
  { name: 'Dana Buyer', address: 'dana@buyer.test', role: 'contact', contact: dana },
  { name: 'Nia New', address: 'nia@prospect.test', role: 'not_in_crm', contact: null },
  { name: 'Colin Colleague', address: 'colin@acme-sales.test', role: 'internal', contact: null },
  { name: 'Riley', address: 'riley@acme-sales.test', role: 'self', contact: null },
];

function aThreadMailbox(overrides: Partial<ThreadMailbox> = {}): ThreadMailbox {
  return { mailboxId: 'mb-1', address: 'riley@acme-sales.test', scope: 'sales', status: 'connected', link: null, messages: [], ...overrides };
}
function aState(overrides: Partial<MessageSyncState> = {}): MessageSyncState {
  return { providerId: 'p1', date: Date.now() - 60_000, direction: 'received', state: 'pushed', reason: null, contacts: [dana], at: Date.now(), error: null, ...overrides };
}

function state(thread: Partial<NonNullable<SidebarState['thread']>> | null, collapsed = false): SidebarState {
  return {
    type: 'state',
    webmail: 'gmail',
    thread: thread && { threadKey: 't-1', subject: 'Renewal', participants: participants.map(({ name, address }) => ({ name, address })), missing: [], ...thread },
    collapsed,
  };
}

/** The app rendered to markup over a link holding `page`, with the background's answers already in the query cache. */
function render(page: SidebarState | null, view?: Partial<MessageOutput<'getThreadView'>>, timeline?: MessageOutput<'getContactTimeline'>['emails']): string {
  const client = new QueryClient();
  if (page?.thread && view) {
    client.setQueryData(['threadView', page.webmail, page.thread.threadKey, page.thread.participants], {
      crm: { connected: true, origin: CRM },
      participants,
      mailboxes: [aThreadMailbox({ messages: [aState()] })],
      ...view,
    });
  }
  if (timeline) client.setQueryData(['timeline', dana.id], timeline);
  const link: SidebarLink = { getState: () => page, subscribe: () => () => undefined, setCollapsed: () => undefined };
  return renderToStaticMarkup(
    <QueryClientProvider client={client}>
      <SidebarApp link={link} />
    </QueryClientProvider>,
  );
}

/** The anchors of the markup, as their opening tags. */
const anchors = (html: string) => [...html.matchAll(/<a [^>]*>/g)].map((m) => m[0]);

describe('SidebarApp: what shows for the page state', () => {
  it('shows nothing while no thread is open, or before the content script spoke', () => {
    expect(render(null)).toBe('<aside class="sidebar" aria-label="CRM sidebar" hidden=""></aside>');
    expect(render(state(null))).toBe('<aside class="sidebar" aria-label="CRM sidebar" hidden=""></aside>');
  });

  it('collapsed, is only the "CRM" tab that expands', () => {
    const html = render(state({}, true), {});
    expect(html).toMatch(/<button type="button" class="sidebar-tab" aria-expanded="false"[^>]*>CRM<\/button>/);
    expect(html).not.toContain('Renewal');
  });

  it('expanded, shows the subject, the collapse button, the sync state and the external participants only', () => {
    const html = render(state({}), {});
    expect(html).toContain('<h1 class="sidebar-subject">Renewal</h1>');
    expect(html).toMatch(/<button[^>]*aria-expanded="true"[^>]*>Hide<\/button>/);
    expect(html).toMatch(/Logged to Dana Buyer at \d\d:\d\d/);
    expect(html).toContain('Dana Buyer');
    expect(html).toContain('Buyer Co');
    expect(html).toContain('nia@prospect.test');
    expect(html).toContain('Not in CRM');
    expect(html).not.toContain('colin@acme-sales.test');
    expect(html).toContain('Not shown: 1 colleague, you');
  });

  it('says the CRM is not connected, with the way to connect it', () => {
    const html = render(state({}), { crm: { connected: false, origin: null } });
    expect(html).toContain('The CRM is not connected');
    expect(html).toContain('>Connect the CRM</button>');
  });

  it('waits for the next sync while no mailbox holds the thread', () => {
    expect(render(state({}), { mailboxes: [aThreadMailbox()] })).toContain('Waiting for the next sync');
  });

  it('names each mailbox when several hold the thread, and lets the user choose the one to act on', () => {
    const html = render(state({}), { mailboxes: [aThreadMailbox({ messages: [aState()] }), aThreadMailbox({ mailboxId: 'mb-2', address: 'sales@acme-sales.test', messages: [aState({ state: 'waiting', at: null })] })] });
    expect(html).toContain('riley@acme-sales.test: </span>Logged to Dana Buyer');
    expect(html).toContain('sales@acme-sales.test: </span>Waiting for the next sync');
    expect(html).toContain('Mailbox for these actions');
  });
});

describe('The contact link: only on the CRM\u2019s own origin, in a new tab without opener or referrer', () => {
  it('links a record on the CRM origin', () => {
    expect(anchors(render(state({}), {}))).toEqual([`<a href="${CRM}/contacts/c-dana" target="_blank" rel="noopener noreferrer" aria-label="Open in CRM: Dana Buyer (new tab)">`]);
  });

  it.each([['another origin', 'https://crm.example.test.evil.test/contacts/c-dana'], ['a script URL', 'javascript:alert(1)'], ['user info', 'https://x@crm.example.test/c']])('links no record on %s', (_, url) => {
    const other = { ...dana, url };
    expect(anchors(render(state({}), { participants: [{ ...participants[0]!, contact: other }], mailboxes: [aThreadMailbox({ messages: [aState({ contacts: [other] })] })] }))).toEqual([]);
  });
});

describe('Page and CRM text renders as text', () => {
  it('escapes markup in the subject, a participant\u2019s name and address, a contact, and a timeline subject', () => {
    const evilContact = { ...dana, name: EVIL, company: EVIL };
    const html = render(
      state({ subject: EVIL }),
      {
        participants: [
          { name: EVIL, address: 'dana@buyer.test', role: 'contact', contact: evilContact },
          { name: EVIL, address: `x${EVIL}@prospect.test`, role: 'not_in_crm', contact: null },
        ],
        mailboxes: [aThreadMailbox({ messages: [aState({ contacts: [evilContact] })] })],
      },
      [{ id: 'e1', subject: EVIL, date: Date.now(), direction: 'sent' }],
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain(`<h1 class="sidebar-subject">&lt;img`);
    expect(html).toContain('<span class="timeline-subject" title="&lt;img');
  });
});

describe('Actions shown for the thread\u2019s decision and mailbox', () => {
  it('offers "Don\u2019t sync", or its undo once marked', () => {
    expect(render(state({}), {})).toContain('>Don&#x27;t sync this thread</button>');
    const marked = render(state({}), { mailboxes: [aThreadMailbox({ link: { contacts: [], dontSync: true }, messages: [aState({ state: 'skipped', reason: 'dont_sync', contacts: [] })] })] });
    expect(marked).toContain('>Sync this thread again</button>');
    expect(marked).toContain('Not logged: you marked this thread');
    expect(marked).not.toContain('Link to contact');
    // Nothing is linked any more: the matched contact offers to be linked again instead of unlinked.
    expect(marked).toContain('>In CRM</span>');
    expect(marked).not.toContain('Unlinked');
    expect(marked).toMatch(/aria-label="Link Dana Buyer to this thread"[^>]*>Link<\/button>/);
    expect(marked).not.toContain('>Unlink</button>');
  });

  it('offers Unlink for a linked contact', () => {
    const html = render(state({}), {});
    expect(html).toMatch(/aria-label="Unlink Dana Buyer from this thread"[^>]*>Unlink<\/button>/);
    expect(html).toContain('>Linked</span>');
  });

  it('offers "Log this thread" to the contacts the stored mail matched, not the page\u2019s participants, disabled with its reason otherwise', () => {
    const lee: ContactRef = { id: 'c-lee', name: 'Lee Stored', company: null, url: null };
    const personal = aThreadMailbox({ scope: 'personal', messages: [aState({ state: 'skipped', reason: 'personal_scope', contacts: [lee] })] });
    const html = render(state({}), { mailboxes: [personal] });
    expect(/<button([^>]*)>Log this thread<\/button>/.exec(html)?.[1]).not.toContain('disabled');
    // The page shows Dana (a participant a sender could forge); the engine matched Lee from the stored mail.
    expect(html).toContain('Logs it to Lee Stored.');
    const none = aThreadMailbox({ scope: 'personal', messages: [aState({ state: 'skipped', reason: 'personal_scope', contacts: [] })] });
    const refused = render(state({}), { mailboxes: [none] });
    const tag = /<button([^>]*)>Log this thread<\/button>/.exec(refused)?.[1] ?? '';
    expect(tag).toContain('disabled=""');
    const reasonId = /aria-describedby="([^"]+)"/.exec(tag)?.[1];
    expect(refused).toContain(`<p id="${reasonId}" class="small muted">The stored mail matches no contact in the CRM: create or link a contact first.</p>`);
    expect(render(state({}), {})).not.toContain('Log this thread');
  });

  it('says when the page reader could not read part of the thread, instead of "no external participant"', () => {
    // Nothing stored either, so no contact of the stored mail is listed in the participants' place.
    const html = render(state({ missing: ['recipients'] }), { participants: [], mailboxes: [aThreadMailbox()] });
    expect(html).toContain('Couldn&#x27;t read the recipients from the page; the list may be incomplete.');
    expect(html).not.toContain('No external participant');
    expect(render(state({}), { participants: [], mailboxes: [aThreadMailbox()] })).toContain('No external participant');
  });

  it('does not point the collapsed tab at a body it does not render, and makes "Hide" a design-system button', () => {
    expect(render(state({}, true), {})).not.toContain('aria-controls');
    expect(render(state({}), {})).toMatch(/<button[^>]*class="btn btn-secondary sidebar-collapse"[^>]*>Hide<\/button>/);
  });
});

describe('logThreadReason and storedMatches: "Log this thread" goes to the engine\u2019s matches', () => {
  it('unions the stored messages\u2019 contacts once each, and says why it cannot log', () => {
    const lee: ContactRef = { id: 'c-lee', name: 'Lee', company: null, url: null };
    const mailbox = { messages: [aState({ contacts: [dana] }), aState({ contacts: [dana, lee] })] };
    expect(storedMatches(mailbox)).toEqual([dana, lee]);
    expect(logThreadReason({ messages: [] }, [])).toBe('Not synced yet: press Sync now first.');
    expect(logThreadReason(mailbox, [])).toMatch(/^The stored mail matches no contact/);
    expect(logThreadReason(mailbox, [dana])).toBeNull();
  });
});

describe('visibleLongEnough: a click counts only after 500 ms of real visibility', () => {
  it('refuses while not visible or visible for less than 500 ms', () => {
    expect(visibleLongEnough(null, 10_000)).toBe(false);
    expect(visibleLongEnough(9_600, 10_000)).toBe(false);
    expect(visibleLongEnough(9_500, 10_000)).toBe(true);
    expect(visibleLongEnough(-Infinity, 0)).toBe(true);
  });
});

describe('thread-view: which participants, mailboxes and contacts the actions use', () => {
  it('lists the external participants only', () => {
    expect(externalParticipants(participants).map((p) => p.address)).toEqual(['dana@buyer.test', 'nia@prospect.test']);
    expect(externalParticipants([{ role: 'blocked' }, { role: 'self' }, { role: 'internal' }])).toEqual([]);
  });

  it('acts on the mailboxes holding the thread, or every one when none does', () => {
    const held = aThreadMailbox({ mailboxId: 'held', messages: [aState()] });
    const decided = aThreadMailbox({ mailboxId: 'decided', link: { contacts: [], dontSync: true } });
    const empty = aThreadMailbox({ mailboxId: 'empty' });
    expect(actionMailboxes([empty, held]).map((m) => m.mailboxId)).toEqual(['held']);
    expect(actionMailboxes([empty, decided]).map((m) => m.mailboxId)).toEqual(['decided']);
    expect(actionMailboxes([empty, aThreadMailbox({ mailboxId: 'other' })]).map((m) => m.mailboxId)).toEqual(['empty', 'other']);
  });

  it('links to nothing once "don\u2019t sync", to the manual link when there is one, else to the contacts the stored mail matched (never the page\u2019s)', () => {
    const sam: ContactRef = { id: 'c-sam', name: 'Sam', company: null, url: null };
    const stored = [aState({ contacts: [sam] })];
    expect(linkedContacts({ link: null, messages: stored })).toEqual([sam]);
    expect(linkedContacts({ link: null, messages: [] })).toEqual([]);
    expect(linkedContacts({ link: { contacts: [dana], dontSync: false }, messages: stored })).toEqual([dana]);
    expect(linkedContacts({ link: { contacts: [], dontSync: true }, messages: stored })).toEqual([]);
  });

  it('logs on purpose only in a personal mailbox that skipped the thread for its scope', () => {
    const skipped = [aState({ state: 'skipped', reason: 'personal_scope' })];
    expect(canLogOnPurpose({ scope: 'personal', messages: skipped, link: null })).toBe(true);
    expect(canLogOnPurpose({ scope: 'sales', messages: skipped, link: null })).toBe(false);
    expect(canLogOnPurpose({ scope: 'personal', messages: [aState()], link: null })).toBe(false);
    expect(canLogOnPurpose({ scope: 'personal', messages: skipped, link: { contacts: [], dontSync: true } })).toBe(false);
  });
});

describe('createContactFormSchema: "Create contact" is checked before it is sent', () => {
  it('refuses an empty name and a bad address on their fields, and keeps the company optional', () => {
    const refused = createContactFormSchema.safeParse({ name: '  ', email: 'not-an-address', company: '' });
    expect(refused.success).toBe(false);
    expect(fieldErrors(refused.error!.issues)).toEqual({ name: 'Enter a name.', email: 'Enter an email address.' });
    expect(createContactFormSchema.parse({ name: ' Nia New ', email: 'nia@prospect.test', company: '' })).toEqual({ name: 'Nia New', email: 'nia@prospect.test', company: '' });
  });
});
