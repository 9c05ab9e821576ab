/*
 * Webmail pages for the sidebar benchmark (issue 11), built from the e2e page builder
 * (tests/e2e/webmail-pages.ts) and made live the way Gmail is: the open view follows
 * `location.hash` (`#inbox` or `#inbox/<thread id>`), its DOM replaced on `hashchange`, and new
 * mail shows as a row added at the top of the list with the unread count bumped in the title and
 * the navigation's badge (what `readGmailInbox` reads).
 */
import { escapeHtml, gmailInboxBody, gmailPage, gmailThreadBody, outlookInboxBody, outlookPage, outlookThreadBody, outlookThreadUrl, type PagePerson, type PageThread } from '../../e2e/webmail-pages';

/** JSON inside an inline script: `<` escaped so no value can close the script element. */
const inlineJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The navigation with the inbox link and its unread badge, and the view Gmail swaps. */
const shell = (unread: number, view: string) =>
  `<div role="navigation"><div><a href="#inbox">Inbox</a> <span class="bsU">${unread}</span></div></div><div id="bench-view">${view}</div>`;

/**
 * A single-page Gmail: the inbox list of `threads`, and each thread's view at `#inbox/<id>`.
 * `window.benchNewMail(thread)` adds `thread` on top of the list and bumps the unread count, as
 * Gmail shows a delivered message.
 */
export function liveGmailPage(threads: readonly PageThread[], unread: number): string {
  const views = Object.fromEntries(threads.map((t) => [t.id, gmailThreadBody(t)]));
  const script = `<script>
(() => {
  const threads = ${inlineJson(threads)};
  const views = ${inlineJson(views)};
  let unread = ${unread};
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const row = (t) => '<tr class="zA zE" role="row"><td class="yX xY"><span class="yP" email="' + esc(t.messages[0].from.address) + '" name="' + esc(t.messages[0].from.name) + '">' + esc(t.messages[0].from.name) + '</span></td><td class="xY a4W"><span class="bog"><span data-legacy-thread-id="' + esc(t.id) + '">' + esc(t.subject) + '</span></span></td></tr>';
  const inbox = () => '<div class="nH"><div class="bkK" role="main"><div class="ae4 UI nH" gh="tl"><table class="F cf zt" role="grid"><tbody>' + threads.map(row).join('') + '</tbody></table></div></div></div>';
  const title = () => { document.title = 'Inbox (' + unread + ') - riley - Gmail'; document.querySelector('.bsU').textContent = String(unread); };
  const show = () => {
    const open = /^#inbox\\/([^/]+)$/.exec(location.hash);
    document.getElementById('bench-view').innerHTML = open && views[open[1]] ? views[open[1]] : inbox();
  };
  window.benchNewMail = (t) => {
    threads.unshift(t);
    unread += 1;
    title();
    const body = document.querySelector('tr.zA') && document.querySelector('tr.zA').parentElement;
    if (body) body.insertAdjacentHTML('afterbegin', row(t));
  };
  addEventListener('hashchange', show);
  title();
  show();
})();
</script>`;
  return gmailPage(shell(unread, '') + script);
}

/** A random Gmail API thread id (16 hex digits). */
const hexId = (i: number) => (0x18c0000000000000n + BigInt(i) * 7919n).toString(16);

/**
 * A big Gmail page for the stress run: an inbox list of `rows` rows (Gmail keeps it in the DOM
 * behind an open thread) and `thread` open with `messages` messages, every one from and to the
 * thread's own participants. `window.benchStress(ms, everyMs)` then mutates the page as a busy Gmail
 * does (row classes and text, the selected row, nodes added and removed) every `everyMs` for `ms`,
 * and resolves when done.
 */
export function bigGmailPage(thread: PageThread, rows: number, messages: number): string {
  const filler: PagePerson = { name: 'Newsletter', address: 'news@updates.example' };
  const list: PageThread[] = Array.from({ length: rows }, (_, i) => ({ id: hexId(i), subject: `Update number ${i}`, messages: [{ from: filler, to: [] }] }));
  const long: PageThread = { ...thread, messages: Array.from({ length: messages }, (_, i) => thread.messages[i % thread.messages.length]!) };
  const script = `<script>
window.benchStress = (ms, everyMs) => new Promise((resolve) => {
  const rows = [...document.querySelectorAll('tr.zA')];
  const scratch = document.getElementById('bench-scratch');
  let round = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    round += 1;
    for (let i = 0; i < 300; i++) {
      const r = rows[(round * 37 + i * 13) % rows.length];
      r.classList.toggle('btb');
      r.querySelector('.bog > span').textContent = 'Update ' + round + '.' + i;
    }
    rows[(round - 1) % rows.length].setAttribute('aria-selected', 'false');
    rows[round % rows.length].setAttribute('aria-selected', 'true');
    for (let i = 0; i < 50; i++) scratch.append(Object.assign(document.createElement('div'), { className: 'aKz', textContent: 'chip ' + round + '.' + i }));
    while (scratch.childElementCount > 200) scratch.firstElementChild.remove();
    if (performance.now() - started >= ms) { clearInterval(timer); resolve(round); }
  }, everyMs);
});
</script>`;
  return gmailPage(`${shell(rows, `${gmailInboxBody(list)}${gmailThreadBody(long)}`)}<div id="bench-scratch" aria-hidden="true"></div>${script}`.replace('<title>Gmail</title>', `<title>${escapeHtml(`Inbox (${rows}) - riley - Gmail`)}</title>`));
}

/**
 * A single-page Outlook on the web: the message list of `threads` with none open, and
 * `window.benchSelect(id)` opening conversation `id` as a click in the list does: the list's
 * selection and the reading pane replaced, the URL pushed (`/mail/inbox/id/<item id>`, no load,
 * no `popstate`).
 */
export function liveOutlookPage(threads: readonly { thread: PageThread; itemId: string }[]): string {
  const all = threads.map((t) => t.thread);
  const views = Object.fromEntries(threads.map(({ thread }) => [thread.id, outlookThreadBody(thread, all.filter((t) => t.id !== thread.id))]));
  const urls = Object.fromEntries(threads.map(({ thread, itemId }) => [thread.id, outlookThreadUrl(itemId)]));
  const script = `<script>
(() => {
  const views = ${inlineJson(views)};
  const urls = ${inlineJson(urls)};
  window.benchSelect = (id) => {
    document.getElementById('bench-view').innerHTML = views[id];
    history.pushState(null, '', urls[id]);
  };
})();
</script>`;
  return outlookPage(`<div id="bench-view">${outlookInboxBody(all)}</div>${script}`);
}
