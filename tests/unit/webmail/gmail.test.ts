import { describe, expect, it } from 'vitest';
import { GMAIL_MISSING, isGmailThreadUrl, readGmailInbox, readGmailThread } from '@/lib/webmail/gmail';
import { fixture, parse, unread } from './fixture';

function read(name: string) {
  const { doc, url } = fixture(`gmail/${name}`);
  return readGmailThread(doc, url);
}

describe('readGmailThread over the fixtures', () => {
  it('reads collapsed and expanded messages, not the account switcher, the hidden list, an earlier thread, a hovercard or a body', () => {
    expect(read('thread-collapsed-expanded.html')).toEqual({
      threadKey: '18c5d2a9f0b1e301',
      subject: 'Renewal quote for 2027',
      participants: [
        { name: 'Dana Buyer', address: 'dana@customer.test' },
        { name: 'Riley Rep', address: 'Rep@Acme-Sales.test' },
        { name: '<img src=x onerror=alert(1)> Sam', address: 'sam.finance@customer.test' },
        { name: 'Lee Partner', address: 'lee@partner.test' },
      ],
      missing: [],
    });
  });

  it('reads 27 To and Cc recipients, deduplicated by address whatever the case, ignoring malformed addresses', () => {
    const thread = read('thread-many-recipients.html');
    const to = ['avery.quinn', 'blake.moreno', 'casey.tran', 'devon.ito', 'emerson.park', 'finley.shah', 'gray.okafor', 'harper.lind', 'indigo.ruiz', 'jules.novak', 'kai.brennan', 'logan.weiss', 'morgan.abe', 'noor.haddad', 'oakley.chen'];
    const cc = ['parker.dunn', 'quinn.sato', 'reese.kova', 'sage.mbeki', 'tatum.roy', 'umi.larsen', 'vale.costa', 'wren.ahmed', 'xen.ortiz', 'yael.berg', 'zion.katz', 'ari.lopez'];
    const person = (local: string, domain: string) => ({
      name: local.split('.').map((part) => part[0]!.toUpperCase() + part.slice(1)).join(' '),
      address: `${local}@${domain}`,
    });
    expect(thread).toEqual({
      threadKey: '18c6a0f4d3b2c1a0',
      subject: 'Q1 rollout: kickoff',
      participants: [
        { name: 'Olivia Lead', address: 'olivia.lead@customer.test' },
        ...to.map((local) => person(local, 'customer.test')),
        { name: 'Padded Person', address: 'padded@customer.test' },
        { name: 'me', address: 'rep@acme-sales.test' },
        ...cc.map((local) => person(local, 'vendor.test')),
      ],
      missing: [],
    });
    expect(thread?.participants).toHaveLength(1 + 15 + 2 + 12);
  });

  it('reads a German UI, taking the key from data-thread-perm-id when data-legacy-thread-id is absent', () => {
    expect(read('thread-german.html')).toEqual({
      threadKey: '18d0aa11bc2f4e07',
      subject: 'Angebot Verlängerung Wartungsvertrag',
      participants: [
        { name: 'Jürgen Größe', address: 'juergen.groesse@kunde.test' },
        { name: 'Riley Rep', address: 'rep@acme-sales.test' },
        { name: 'Anna Müller', address: 'anna.mueller@kunde.test' },
        { name: '', address: 'einkauf@kunde.test' },
      ],
      missing: [],
    });
  });

  it('reads a right-to-left Hebrew UI', () => {
    expect(read('thread-rtl-hebrew.html')).toEqual({
      threadKey: '18c7b1e2f3a4b5c6',
      subject: 'הצעת מחיר לחידוש ‏2027',
      participants: [
        { name: 'דנה כהן', address: 'dana.cohen@lakoach.test' },
        { name: 'Riley Rep', address: 'rep@acme-sales.test' },
        { name: 'יוסי לוי', address: 'yossi.levi@lakoach.test' },
      ],
      missing: [],
    });
  });

  it('leaves out the open reply draft (its chips and From address) and returns markup in the subject as text', () => {
    expect(read('thread-draft.html')).toEqual({
      threadKey: '18ccb308359f8000',
      subject: '<script>alert(1)</script> pricing bold?',
      participants: [
        { name: 'Dana Buyer', address: 'dana@customer.test' },
        { name: 'me', address: 'rep@acme-sales.test' },
      ],
      missing: [],
    });
  });

  it('returns null on the inbox list, settings, and a lone compose window', () => {
    expect(read('inbox-list.html')).toBeNull();
    expect(read('settings.html')).toBeNull();
    const { doc } = fixture('gmail/inbox-list.html');
    expect(readGmailThread(doc, new URL('https://mail.google.com/mail/u/0/#inbox?compose=new'))).toBeNull();
    expect(readGmailThread(parse(''), new URL('https://mail.google.com/mail/u/0/#inbox?compose=GTvVlcRzCpXC'))).toBeNull();
  });
});

describe('isGmailThreadUrl', () => {
  it.each([
    '#inbox/FMfcgzQdzmSkKHmvSJPBLDSZTbfWQwph',
    '#inbox/18c5d2a9f0b1e301',
    '#sent/18c5d2a9f0b1e301',
    '#starred/FMfcgzQdzmSkKHmvSJPBLDSZTbfWQwph',
    '#label/Clients%2FAcme/FMfcgzQdzmSkKHmvSJPBLDSZTbfWQwph',
    '#search/renewal+quote/18c5d2a9f0b1e301',
    '#category/promotions/FMfcgzQdzmSkKHmvSJPBLDSZTbfWQwph',
    '#inbox/FMfcgzQdzmSkKHmvSJPBLDSZTbfWQwph?compose=new',
  ])('%s is a thread', (hash) => {
    expect(isGmailThreadUrl(new URL(`https://mail.google.com/mail/u/0/${hash}`))).toBe(true);
  });

  it.each(['', '#inbox', '#inbox/p2', '#label/Clients', '#label/averyveryverylonglabelname', '#search/FMfcgzQdzmSkKHmvSJPBLDSZTbfWQwph', '#settings/general', '#settings/FMfcgzQdzmSkKHmvSJPBLDSZTbfWQwph', '#inbox?compose=new'])(
    '%s is not a thread',
    (hash) => {
      expect(isGmailThreadUrl(new URL(`https://mail.google.com/mail/u/0/${hash}`))).toBe(false);
    },
  );
});

describe('readGmailThread on unexpected markup', () => {
  const threadUrl = new URL('https://mail.google.com/mail/u/0/#inbox/FMfcgzQdzmSkKHmvSJPBLDSZTbfWQwph');

  it('returns null for an empty document on a thread URL whose token is not the API id', () => {
    expect(readGmailThread(parse(''), threadUrl)).toBeNull();
  });

  it('falls back to a legacy hex id in the URL, naming what it could not find', () => {
    expect(readGmailThread(parse('<div role="main"></div>'), new URL('https://mail.google.com/mail/u/0/#inbox/18C5D2A9F0B1E301'))).toEqual({
      threadKey: '18c5d2a9f0b1e301',
      subject: '',
      participants: [],
      missing: [GMAIL_MISSING.subject, GMAIL_MISSING.messages],
    });
  });

  it('returns partial data when the subject is gone, and names it', () => {
    const { doc, url } = fixture('gmail/thread-collapsed-expanded.html');
    const heading = doc.querySelector('.nH.if h2.hP')!;
    heading.textContent = '   ';
    const thread = readGmailThread(doc, url);
    expect(thread?.threadKey).toBe('18c5d2a9f0b1e301');
    expect(thread?.subject).toBe('');
    expect(thread?.missing).toEqual([GMAIL_MISSING.subject]);
    expect(thread?.participants).toHaveLength(4);
  });

  it('reads no earlier, hidden thread while the open one has no messages yet', () => {
    const { doc, url } = fixture('gmail/thread-collapsed-expanded.html');
    doc.querySelector('.nH.if [role="list"]')!.remove();
    expect(readGmailThread(doc, url)).toEqual({
      threadKey: '18c5d2a9f0b1e301',
      subject: 'Renewal quote for 2027',
      participants: [],
      missing: [GMAIL_MISSING.messages],
    });
  });

  it('names missing senders and recipients when the messages carry no addresses', () => {
    const doc = parse('<h2 class="hP" data-legacy-thread-id="18c5d2a9f0b1e301">Hi</h2><div class="adn"><span class="gD">Dana</span></div>');
    expect(readGmailThread(doc, threadUrl)).toEqual({
      threadKey: '18c5d2a9f0b1e301',
      subject: 'Hi',
      participants: [],
      missing: [GMAIL_MISSING.senders, GMAIL_MISSING.recipients],
    });
  });

  it.each([
    ['a new-style token', 'FMfcgzQdzmSkKHmvSJPBLDSZTbfWQwph'],
    ['a non-hex id', '18c5d2a9f0b1e30z'],
    ['a too long id', '18c5d2a9f0b1e3012'],
    ['markup', '<img src=x onerror=alert(1)>'],
    ['an empty id', ''],
  ])('refuses %s as the key (and then has none)', (_what, id) => {
    const doc = parse('<h2 class="hP">Hi</h2><div class="adn"></div>');
    doc.querySelector('h2')!.setAttribute('data-legacy-thread-id', id);
    expect(readGmailThread(doc, threadUrl)).toBeNull();
  });

  it('ignores a thread-perm-id too large for an API id', () => {
    const doc = parse('<h2 class="hP" data-thread-perm-id="thread-f:99999999999999999999">Hi</h2>');
    expect(readGmailThread(doc, threadUrl)).toBeNull();
  });

  it('reads 60 KB attribute values and badge text in a few milliseconds, as nothing', () => {
    const doc = parse(`<h2 class="hP" data-legacy-thread-id="18c5d2a9f0b1e301">Hi</h2>
      <div class="adn"><h3 class="iw"><span id="from" email="x">Dana</span></h3><div class="hb"><span id="to" email="y">Sam</span></div></div>
      <div role="navigation"><div><a href="https://mail.google.com/mail/u/0/#inbox">Inbox</a><span class="bsU" id="badge"></span></div></div>`);
    const huge = `a@b${' '.repeat(60_000)}x`;
    doc.getElementById('from')!.setAttribute('email', huge);
    doc.getElementById('from')!.setAttribute('name', huge);
    doc.getElementById('to')!.setAttribute('email', `a@b${'.'.repeat(60_000)}x`);
    doc.getElementById('badge')!.textContent = `1${' 000'.repeat(15_000)}x`;
    doc.title = `(${'('.repeat(60_000)}`;
    const started = performance.now();
    const thread = readGmailThread(doc, threadUrl);
    const inbox = readGmailInbox(doc);
    const took = performance.now() - started;
    expect(thread?.participants).toEqual([]);
    expect(inbox.unread).toBe(0);
    expect(took).toBeLessThan(50);
  });

  it('never throws on garbage attributes and odd nesting', () => {
    const doc = parse(
      `<h2 class="hP" data-legacy-thread-id="18c5d2a9f0b1e301"><h2 class="hP">nested</h2></h2>
       <div class="adn"><span class="gD" email name="">x</span><span class="gD" email="@">y</span>
       <div class="hb"><span email="a@b@c"></span><span email="${'x'.repeat(400)}@long.test"></span><span email="ok@fine.test" name="${'N'.repeat(500)}"></span></div>
       <div class="adn"><div class="hb"><span email="ok@FINE.test" name="Other"></span></div></div></div>`,
    );
    const thread = readGmailThread(doc, threadUrl);
    expect(thread?.threadKey).toBe('18c5d2a9f0b1e301');
    expect(thread?.participants).toEqual([{ name: 'N'.repeat(300), address: 'ok@fine.test' }]);
    // The HTML parser closes the first h2 before the second: the subject heading is empty.
    expect(thread?.missing).toEqual([GMAIL_MISSING.subject, GMAIL_MISSING.senders]);
  });
});

describe('readGmailInbox', () => {
  it('reads the unread badge and the row thread ids, converting a decimal data-thread-id', () => {
    const { doc } = fixture('gmail/inbox-list.html');
    expect(readGmailInbox(doc)).toEqual({
      unread: 3,
      topKeys: ['18c5d2a9f0b1e301', '18c6a0f4d3b2c1a0', '18d0aa11bc2f4e07', '18c7b1e2f3a4b5c6'],
    });
  });

  it('reads a localised badge with a group separator and lists no rows behind a thread', () => {
    expect(readGmailInbox(fixture('gmail/thread-german.html').doc)).toEqual({ unread: 1204, topKeys: [] });
    expect(readGmailInbox(fixture('gmail/thread-collapsed-expanded.html').doc)).toEqual({ unread: 2, topKeys: [] });
  });

  it('reads 0 when the inbox link shows no count, the title when there is no link, else null', () => {
    expect(readGmailInbox(fixture('gmail/thread-rtl-hebrew.html').doc).unread).toBe(0);
    expect(readGmailInbox(parse('<title>Posteingang (12) - Gmail</title>')).unread).toBe(12);
    expect(readGmailInbox(parse(''))).toEqual({ unread: null, topKeys: [] });
  });

  it('lists at most 20 keys, without repeats', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `<tr class="zA"><td><span data-legacy-thread-id="18c5d2a9f0b1e3${String(i % 25).padStart(2, '0')}"></span></td></tr>`);
    const keys = readGmailInbox(parse(`<table><tbody>${rows.join('')}</tbody></table>`)).topKeys;
    expect(keys).toHaveLength(20);
    expect(new Set(keys).size).toBe(20);
    expect(keys[0]).toBe('18c5d2a9f0b1e300');
  });
});

describe('the gmail fixtures', () => {
  it('reads the e2e inbox shell: no thread, the title\'s count, rows without ids', () => {
    const { doc, url } = fixture('gmail-inbox.html');
    expect(readGmailThread(doc, url)).toBeNull();
    expect(readGmailInbox(doc)).toEqual({ unread: 3, topKeys: [] });
  });

  it('are each read by a test above', () => {
    expect(unread('gmail')).toEqual([]);
  });
});
