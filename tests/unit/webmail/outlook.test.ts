import { describe, expect, it } from 'vitest';
import { OUTLOOK_MISSING, isOutlookThreadUrl, readOutlookInbox, readOutlookThread } from '@/lib/webmail/outlook';
import { fixture, parse, unread } from './fixture';

function read(name: string) {
  const { doc, url } = fixture(`outlook/${name}`);
  return readOutlookThread(doc, url);
}

const RENEWAL = 'AAQkAGI2NGVhZTVlLTI1OGMtNDI4My1iZmE5LTA5OGJlZGNmNWJhMAAQAKzT5n3B8BhOjr1Qp0X4a0Y=';
const threadUrl = new URL('https://outlook.office.com/mail/inbox/id/AAkALgAAAAAAHYQDEapmEc2byACqAC%2FEWg0A');

describe('readOutlookThread over the fixtures', () => {
  it('reads collapsed and expanded messages, not the account manager, the list, a contact card or a body', () => {
    expect(read('conversation-collapsed-expanded.html')).toEqual({
      threadKey: RENEWAL,
      subject: 'Renewal quote for 2027',
      participants: [
        { name: 'Dana Buyer', address: 'dana@customer.test' },
        { name: 'Sam Finance', address: 'sam.finance@customer.test' },
        { name: 'Riley Rep', address: 'rep@acme-sales.test' },
        { name: 'Lee Partner', address: 'lee@partner.test' },
      ],
      missing: [],
    });
  });

  it('reads 27 To and Cc recipients on outlook.live.com, keyed through aria-activedescendant, deduplicated, malformed ones ignored', () => {
    const to = ['avery.quinn', 'blake.moreno', 'casey.tran', 'devon.ito', 'emerson.park', 'finley.shah', 'gray.okafor', 'harper.lind', 'indigo.ruiz', 'jules.novak', 'kai.brennan', 'logan.weiss', 'morgan.abe', 'noor.haddad', 'oakley.chen'];
    const cc = ['parker.dunn', 'quinn.sato', 'reese.kova', 'sage.mbeki', 'tatum.roy', 'umi.larsen', 'vale.costa', 'wren.ahmed', 'xen.ortiz', 'yael.berg', 'zion.katz', 'ari.lopez'];
    const person = (local: string, domain: string) => ({
      name: local.split('.').map((part) => part[0]!.toUpperCase() + part.slice(1)).join(' '),
      address: `${local}@${domain}`,
    });
    const thread = read('conversation-many-recipients.html');
    expect(thread).toEqual({
      threadKey: 'AQQkADAwATMwMAItYjBiZi03YmY3LTAwAi0wMAoAEABjgKbAj7DwSKnW58xs6QY7',
      subject: 'Q1 rollout: kickoff',
      participants: [
        { name: 'Olivia Lead', address: 'olivia.lead@customer.test' },
        ...to.map((local) => person(local, 'customer.test')),
        { name: 'Padded Person', address: 'padded@customer.test' },
        { name: 'Riley Rep', address: 'rep@acme-sales.test' },
        ...cc.map((local) => person(local, 'vendor.test')),
      ],
      missing: [],
    });
    expect(thread?.participants).toHaveLength(30);
  });

  it('reads a German UI by structure: addresses behind "Von:" and recipients written as text', () => {
    expect(read('conversation-german.html')).toEqual({
      threadKey: 'AAQkADAwATM0MDAAMS1hYjI4LTg4NjMtMDACLTAwCgAQAFxkZGVudHNjaGxhbmQ=',
      subject: 'Angebot Verlängerung Wartungsvertrag',
      participants: [
        { name: 'Jürgen Größe', address: 'juergen.groesse@kunde.test' },
        { name: '', address: 'rep@acme-sales.test' },
        { name: 'Anna Müller', address: 'anna.mueller@kunde.test' },
        { name: 'Einkauf', address: 'einkauf@kunde.test' },
      ],
      missing: [],
    });
  });

  it('reads a right-to-left Arabic UI', () => {
    expect(read('conversation-rtl-arabic.html')).toEqual({
      threadKey: 'AAQkAGNhcmFiaWMtY29udmVyc2F0aW9uLWlkLWZvci10ZXN0cwAQAIhhuFoxLm9CsAbTPjw1xYI=',
      subject: 'عرض السعر للتجديد ٢٠٢٧',
      participants: [
        { name: 'ليلى حسن', address: 'layla.hassan@amil.test' },
        { name: 'Riley Rep', address: 'rep@acme-sales.test' },
        { name: 'عمر صالح', address: 'omar.saleh@amil.test' },
      ],
      missing: [],
    });
  });

  it('leaves out the open reply draft (its chips and From address) and returns markup as text', () => {
    expect(read('conversation-draft.html')).toEqual({
      threadKey: 'AAQkAGRyYWZ0LWNvbnZlcnNhdGlvbi1pZC1mb3ItdGVzdHMAEADRAFTRAFTRAFTRAFTRAFT=',
      subject: '<script>alert(1)</script> pricing bold?',
      participants: [
        { name: '<img src=x onerror=alert(1)> Dana', address: 'dana@customer.test' },
        { name: 'Riley Rep', address: 'rep@acme-sales.test' },
      ],
      missing: [],
    });
  });

  it('returns null on the list with nothing selected, settings, and a compose window', () => {
    expect(read('list-nothing-selected.html')).toBeNull();
    expect(read('settings.html')).toBeNull();
    const { doc } = fixture('outlook/list-nothing-selected.html');
    expect(readOutlookThread(doc, threadUrl)).toBeNull();
    const selected = fixture('outlook/conversation-collapsed-expanded.html').doc;
    expect(readOutlookThread(selected, new URL('https://outlook.office.com/mail/deeplink/compose'))).toBeNull();
    expect(readOutlookThread(selected, new URL('https://outlook.office.com/mail/inbox'))).toBeNull();
  });
});

describe('isOutlookThreadUrl', () => {
  it.each([
    'https://outlook.office.com/mail/inbox/id/AAkALgAAAAAAHYQDEapmEc2byACqAC%2FEWg0A',
    'https://outlook.office365.com/mail/inbox/id/AAkALgAAAAAAHYQDEapmEc2byACqAC%2FEWg0A',
    'https://outlook.live.com/mail/0/inbox/id/AQMkADAwATMwMAItYjBiZi03YmY3LTAwAi0wMAoARgAAA2Y7',
    'https://outlook.office.com/mail/id/AAkALgAAAAAAHYQDEapmEc2byACqAC%2FEWg0A',
    'https://outlook.office.com/mail/sentitems/id/AAkALgAAAAAAHYQDEapmEc2byACqAC%2FEWg0A',
    'https://outlook.office.com/mail/deeplink/read/AAkALgAAAAAAHYQDEapmEc2byACqAC%2FEWg0A',
  ])('%s is a conversation', (href) => {
    expect(isOutlookThreadUrl(new URL(href))).toBe(true);
  });

  it.each([
    'https://outlook.office.com/mail/',
    'https://outlook.office.com/mail/inbox',
    'https://outlook.live.com/mail/0/',
    'https://outlook.office.com/mail/inbox/id/',
    'https://outlook.office.com/mail/deeplink/compose',
    'https://outlook.office.com/mail/deeplink/read/',
    'https://outlook.office.com/mail/options/mail/layout',
    'https://outlook.office.com/mail/options/id/x',
    'https://outlook.office.com/calendar/id/AAkALgAAAAAAHYQDEapmEc2byACqAC',
  ])('%s is not a conversation', (href) => {
    expect(isOutlookThreadUrl(new URL(href))).toBe(false);
  });
});

describe('readOutlookThread on unexpected markup', () => {
  const listWith = (convid: string, extra = '') =>
    `<div id="MailList"><div role="listbox"><div role="option" aria-selected="true" data-convid="${convid}"></div>${extra}</div></div>`;

  it('returns null for an empty document, and for a deeplink read window without the list (no key)', () => {
    expect(readOutlookThread(parse(''), threadUrl)).toBeNull();
    const { doc } = fixture('outlook/conversation-collapsed-expanded.html');
    doc.getElementById('MailList')!.remove();
    expect(readOutlookThread(doc, new URL('https://outlook.office.com/mail/deeplink/read/AAkALgAAAAAAHYQDEapmEc2byACqAC'))).toBeNull();
  });

  it('returns partial data when the reading pane is not found, and names it', () => {
    expect(readOutlookThread(parse(listWith(RENEWAL)), threadUrl)).toEqual({
      threadKey: RENEWAL,
      subject: '',
      participants: [],
      missing: [OUTLOOK_MISSING.readingPane, OUTLOOK_MISSING.subject],
    });
  });

  it('returns partial data when the subject is gone, and names it', () => {
    const { doc, url } = fixture('outlook/conversation-collapsed-expanded.html');
    doc.querySelector('#ConversationReadingPaneContainer [role="heading"]')!.remove();
    const thread = readOutlookThread(doc, url);
    expect(thread?.threadKey).toBe(RENEWAL);
    expect(thread?.subject).toBe('');
    expect(thread?.missing).toEqual([OUTLOOK_MISSING.subject]);
    expect(thread?.participants).toHaveLength(4);
  });

  it('takes no participant from a subject that is an address', () => {
    const doc = parse(`${listWith(RENEWAL)}<div data-app-section="ConversationContainer"><div role="heading"><span title="dana@customer.test">dana@customer.test</span></div>
      <span aria-label="From: sam@customer.test">Sam</span></div>`);
    expect(readOutlookThread(doc, threadUrl)).toEqual({
      threadKey: RENEWAL,
      subject: 'dana@customer.test',
      participants: [{ name: 'Sam', address: 'sam@customer.test' }],
      missing: [OUTLOOK_MISSING.recipients],
    });
  });

  it('names missing senders and recipients', () => {
    const doc = parse(`${listWith(RENEWAL)}<div data-app-section="ConversationContainer"><div role="heading">Hi</div></div>`);
    expect(readOutlookThread(doc, threadUrl)?.missing).toEqual([OUTLOOK_MISSING.senders, OUTLOOK_MISSING.recipients]);
  });

  it.each([
    ['spaces', 'AAQk ADAw'],
    ['markup', '<img src=x onerror=alert(1)>'],
    ['a too short id', 'AAQk'],
    ['a too long id', 'A'.repeat(513)],
    ['an empty id', ''],
  ])('refuses %s as the key (and then has none)', (_what, id) => {
    const doc = parse('<div id="MailList"><div role="listbox"><div role="option" aria-selected="true"></div></div></div>');
    doc.querySelector('[role="option"]')!.setAttribute('data-convid', id);
    expect(readOutlookThread(doc, threadUrl)).toBeNull();
  });

  it('accepts a 512-character id, and none when several conversations are selected', () => {
    expect(readOutlookThread(parse(listWith('A'.repeat(512))), threadUrl)?.threadKey).toBe('A'.repeat(512));
    // The focused option of a multi-selection is still the listbox's active descendant.
    const several = `<div id="MailList"><div role="listbox" aria-activedescendant="o1"><div id="o1" role="option" aria-selected="true" data-convid="${RENEWAL}"></div>
      <div role="option" aria-selected="true" data-convid="AQQkADAwATMwMAItYjBiZi03YmY3LTAwAi0wMAoAEABjgKbAj7DwSKnW58xs6QY7"></div></div></div>`;
    expect(readOutlookThread(parse(several), threadUrl)).toBeNull();
  });

  it('reads a 60 KB attribute built to backtrack in a few milliseconds, as no person', () => {
    const doc = parse(`${listWith(RENEWAL)}<div data-app-section="ConversationContainer"><div role="heading">Hi</div>
      <span id="slow">Sam</span><div data-testid="RecipientWell" id="well"></div></div>`);
    doc.getElementById('slow')!.setAttribute('aria-label', `From: a@b${' '.repeat(60_000)}x`);
    doc.getElementById('well')!.textContent = `To: a@b${'.'.repeat(60_000)}x`;
    const started = performance.now();
    const thread = readOutlookThread(doc, threadUrl);
    const took = performance.now() - started;
    expect(thread?.participants).toEqual([]);
    expect(took).toBeLessThan(50);
  });

  it('reads a display name that is an address as the name, never as a participant', () => {
    // OWA renders `To: "ceo@victim.test" <dana@customer.test>` as the name in a span titled with the address.
    const doc = parse(`${listWith(RENEWAL)}<div data-app-section="ConversationContainer"><div role="heading">Hi</div>
      <span aria-label="From: &quot;boss@victim.test&quot; &lt;sam@customer.test&gt;"><span>boss@victim.test</span></span>
      <div data-testid="RecipientWell">To: <span title="dana@customer.test">ceo@victim.test</span>; <span title="lee@partner.test"><span>cfo@victim.test</span></span></div></div>`);
    expect(readOutlookThread(doc, threadUrl)?.participants).toEqual([
      { name: '', address: 'sam@customer.test' },
      { name: '', address: 'dana@customer.test' },
      { name: '', address: 'lee@partner.test' },
    ]);
  });

  it('takes no sender from an attachment card, a link or a button titled with an address', () => {
    const doc = parse(`${listWith(RENEWAL)}<div data-app-section="ConversationContainer"><div role="heading">Hi</div>
      <span aria-label="From: sam@customer.test">Sam</span>
      <div role="listbox" aria-label="Attachments"><div role="option" draggable="true" title="ceo@victim.test"><span title="ceo@victim.test">ceo@victim.test</span> 12 KB</div></div>
      <a href="https://x.test/" title="cfo@victim.test">cfo@victim.test</a><button title="cto@victim.test">cto@victim.test</button>
      <div data-testid="RecipientWell">To: <span title="dana@customer.test">Dana</span></div></div>`);
    expect(readOutlookThread(doc, threadUrl)?.participants).toEqual([
      { name: 'Sam', address: 'sam@customer.test' },
      { name: 'Dana', address: 'dana@customer.test' },
    ]);
  });

  it('never throws on garbage attributes and odd nesting', () => {
    const doc = parse(
      `${listWith(RENEWAL)}<div data-app-section="ConversationContainer"><div role="heading"><div role="heading">Nested</div></div>
       <span title="@" aria-label="@@"></span><span title="a@b@c">x</span><span aria-label="${'x'.repeat(400)}@long.test">y</span>
       <span title="ok@fine.test" aria-label="From: OK@FINE.test">${'N'.repeat(500)}</span>
       <div data-testid="RecipientWell"><div data-testid="RecipientWell">To: ; , <> ok@FINE.test; "" &lt;&gt;</div></div></div>`,
    );
    expect(readOutlookThread(doc, threadUrl)).toEqual({
      threadKey: RENEWAL,
      subject: 'Nested',
      participants: [{ name: 'N'.repeat(300), address: 'ok@fine.test' }],
      missing: [],
    });
  });
});

describe('readOutlookInbox', () => {
  it('reads the Inbox folder count and the list options\' conversation ids, without repeats or malformed ids', () => {
    expect(readOutlookInbox(fixture('outlook/list-nothing-selected.html').doc)).toEqual({
      unread: 12,
      topKeys: [
        'AAQkAGI2NGVhZTVlLTI1OGMtNDI4My1iZmE5LTA5OGJlZGNmNWJhMAAQAN9zLwH2Tk5EtnQ0bFcAAAE=',
        RENEWAL,
        'AAQkAGI2NGVhZTVlLTI1OGMtNDI4My1iZmE5LTA5OGJlZGNmNWJhMAAQAG1AbCdEfGhIjKlMnOpQrSU=',
      ],
    });
  });

  it('finds the Inbox by its icon in a German UI, reads localised and Arabic-Indic counts, and 0 when none shows', () => {
    expect(readOutlookInbox(fixture('outlook/conversation-german.html').doc).unread).toBe(1204);
    expect(readOutlookInbox(fixture('outlook/conversation-rtl-arabic.html').doc).unread).toBe(3);
    expect(readOutlookInbox(fixture('outlook/conversation-many-recipients.html').doc).unread).toBe(0);
  });

  it('reads null without a folder pane, and at most 20 keys', () => {
    const options = Array.from({ length: 25 }, (_, i) => `<div role="option" data-convid="AAQkADAwATM0MDAAMS1h${String(i).padStart(2, '0')}"></div>`);
    const signal = readOutlookInbox(parse(`<div id="MailList"><div role="listbox">${options.join('')}</div></div>`));
    expect(signal.unread).toBeNull();
    expect(signal.topKeys).toHaveLength(20);
    expect(signal.topKeys[0]).toBe('AAQkADAwATM0MDAAMS1h00');
  });
});

describe('the outlook fixtures', () => {
  it('reads the e2e inbox shell: no thread, no folder pane, its one conversation', () => {
    const { doc, url } = fixture('outlook-inbox.html');
    expect(readOutlookThread(doc, url)).toBeNull();
    expect(readOutlookInbox(doc)).toEqual({ unread: null, topKeys: ['AAQkADAwATM0MDAAMS1hYjI4LTg4NjMtMDACLTAwCgAQAFxk'] });
  });

  it('are each read by a test above', () => {
    expect(unread('outlook')).toEqual([]);
  });
});
