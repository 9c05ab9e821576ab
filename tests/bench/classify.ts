/**
 * Classification against a 10k-contact mirror, in Node (issue 9: at least 50,000 messages/s).
 *
 * The messages are the 10k seed's Gmail (riley) and Outlook (support) mailboxes, read from the
 * emulators through the real providers (so normalised by the real Gmail and Graph normalisers),
 * whole mailboxes less spam and trash, newest first as a backfill reads them. The mirror is the
 * seed's CRM contacts padded with generated ones to 10,000 in the CRM emulator, then mirrored into
 * a Dexie database in fake-indexeddb by the engine's own `mirrorContacts`. Three measures:
 * - `classify` alone (the R21a rules), over a contact index of the whole mailbox;
 * - `decide` alone (classify, thread links, CRM key and the CRM payload at the mailbox's visibility);
 * - per page of 100 messages as the engine runs it: `loadDecideContext` in a read transaction (the
 *   indexed lookup of the page's participants in the mirror's multi-entry `emails` index, and the
 *   page's thread links), then `decide` for each message. This is the measure the target refers
 *   to: classification "against the mirror" includes looking the contacts up in it. Also the
 *   same with pages of 500, the size of a Gmail backfill page.
 * Every decision is checked against the emulators' ground truth (the reason of each message).
 *
 * Run: npm run bench:classify [-- --seconds 3 --contacts 10000 --page 100]
 */
import './support/extension-globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulators } from '../../emulators';
import { googleSignIn } from '../../emulators/google/sign-in';
import { staticToken } from '../../lib/auth/access-token';
import type { Mailbox, Message } from '../../lib/domain';
import { classify, policySets } from '../../lib/matching/skip-rules';
import { createGmailProvider, gmailLimiter } from '../../lib/providers/gmail';
import type { MailProvider } from '../../lib/providers/mail-provider';
import { decide, type DecideContext, loadDecideContext } from '../../lib/sync/decide';
import { mirrorContacts } from '../../lib/sync/jobs/contacts';
import { BenchEngine } from './support/engine-bench';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, contacts: { type: 'string', default: '10000' }, page: { type: 'string', default: '100' } },
});
const SECONDS = Number(values.seconds);
const CONTACTS = Number(values.contacts);
const PAGE = Number(values.page);
const TARGET = 50_000;
const SEED = { seed: 1, size: '10k' as const };
const RUN_ID = 'bench-run';
const GMAIL_PAGE = 500;

const emulators = await startEmulators(SEED);
const bench = new BenchEngine(emulators.urls);

/** Every message of the mailbox's backfill window of the last ten years, page by page as the engine reads them. */
async function readAll(provider: MailProvider, mailbox: Mailbox): Promise<Message[]> {
  const messages: Message[] = [];
  let cursor: string | null = null;
  do {
    const page = await provider.listWindow({ since: Date.now() - 3650 * 86_400_000, cursor, visibility: mailbox.visibility, only: mailbox.syncOnly });
    messages.push(...page.messages);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return messages;
}

/** Adds generated contacts to the CRM until it holds `total`: one per made-up company domain, a fifth with a second address. */
async function padCrmContacts(total: number): Promise<number> {
  const seeded = emulators.context.world.contacts.length;
  const indexes = Array.from({ length: Math.max(0, total - seeded) }, (_, i) => i);
  const add = async (i: number) => {
    const domain = `bench-company-${i % 2500}.test`;
    await bench.crm.post('/crm/contacts', {
      name: `Bench Person ${i}`,
      email: `person.${i}@${domain}`,
      additional_emails: i % 5 === 0 ? [`p${i}@gmail.com`] : [],
      company_name: `Bench Company ${i % 2500}`,
    });
  };
  // A few requests at a time: the CRM emulator runs in this process.
  for (let i = 0; i < indexes.length; i += 16) await Promise.all(indexes.slice(i, i + 16).map(add));
  return seeded;
}

/** Runs `round` until `SECONDS` have passed (after one warm-up round); messages per second over all timed rounds. */
async function throughput(messagesPerRound: number, round: () => unknown): Promise<{ messagesPerSecond: number; rounds: number; seconds: number }> {
  await round();
  let rounds = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    await round();
    rounds++;
    elapsed = performance.now() - started;
  }
  return { messagesPerSecond: Math.round((messagesPerRound * rounds) / (elapsed / 1000)), rounds, seconds: +(elapsed / 1000).toFixed(2) };
}

try {
  await bench.setUp(SEED);
  const gmailMailbox = await bench.connect('gmail');
  const outlookMailbox = await bench.connect('outlook');

  const seededContacts = await padCrmContacts(CONTACTS);
  await mirrorContacts(bench.engineDeps);
  const { db } = bench.deps;
  const mirrored = await db.contacts.count();
  const mirroredAddresses = (await db.contacts.orderBy('emails').keys()).length;

  // The quota is not what is measured here: lift it, in the emulator and in the provider.
  await bench.google.put('/config', { gmailUnitsPerSecond: 1_000_000 });
  const gmailToken = staticToken(String((await googleSignIn(emulators.urls.google, { login_hint: gmailMailbox.address })).tokens!.access_token));
  const gmail = createGmailProvider({ mailboxId: gmailMailbox.id, tokens: gmailToken, gmailApiUrl: emulators.urls.google, revoke: async () => undefined, limiter: gmailLimiter({ unitsPerSecond: 1_000_000 }) });
  const mailboxes = [
    { mailbox: gmailMailbox, seedId: 'riley', messages: await readAll(gmail, gmailMailbox) },
    { mailbox: outlookMailbox, seedId: 'support', messages: await readAll(bench.engineDeps.provider(outlookMailbox), outlookMailbox) },
  ];
  const total = mailboxes.reduce((sum, m) => sum + m.messages.length, 0);
  const policy = policySets(await bench.engineDeps.privacyRules());
  const now = Date.now();

  // Contexts over each whole mailbox: the pure measures look contacts up in an in-memory index.
  const whole: { messages: Message[]; context: DecideContext }[] = [];
  for (const m of mailboxes) whole.push({ messages: m.messages, context: await loadDecideContext(db, m.mailbox, policy, m.messages) });

  // Every decision against the ground truth, before anything is timed.
  const truth = await bench.truth(mailboxes.map((m) => m.seedId));
  const expected = new Map(truth.verdicts.map((v) => [`${v.mailboxId}/${v.providerId}`, v.reason]));
  let agree = 0;
  const disagreements: { mailbox: string; providerId: string; product: string | null; truth: string | null | undefined }[] = [];
  const reasons: Record<string, number> = {};
  for (const [i, m] of mailboxes.entries()) {
    for (const message of m.messages) {
      const { verdict } = decide(message, whole[i]!.context, RUN_ID, now);
      reasons[verdict.reason ?? 'pushed'] = (reasons[verdict.reason ?? 'pushed'] ?? 0) + 1;
      const wanted = expected.get(`${m.seedId}/${message.providerId}`);
      if (wanted === verdict.reason) agree++;
      else disagreements.push({ mailbox: m.seedId, providerId: message.providerId, product: verdict.reason, truth: wanted });
    }
  }

  const pureClassify = await throughput(total, () => {
    for (const { messages, context } of whole) {
      for (const message of messages) {
        classify(
          { participants: message.participants, folder: message.folder, category: message.category, bulk: message.bulk },
          { scope: context.mailbox.scope, own: context.own, dontSync: false, linkedContactIds: [] },
          context.policy,
          context.contacts,
        );
      }
    }
  });
  const pureDecide = await throughput(total, () => {
    for (const { messages, context } of whole) for (const message of messages) decide(message, context, RUN_ID, now);
  });
  /** Pages of `size` messages of one mailbox each, each decided as `decideAndCommit` does (without the commit). */
  const paged = (size: number) => {
    const pages = mailboxes.flatMap((m) => Array.from({ length: Math.ceil(m.messages.length / size) }, (_, i) => ({ mailbox: m.mailbox, messages: m.messages.slice(i * size, (i + 1) * size) })));
    return {
      pages: pages.length,
      round: async () => {
        for (const page of pages) {
          const context = await db.transaction('r', db.contacts, db.threadLinks, () => loadDecideContext(db, page.mailbox, policy, page.messages));
          for (const message of page.messages) decide(message, context, RUN_ID, now);
        }
      },
    };
  };
  const pages = paged(PAGE);
  const perPage = await throughput(total, pages.round);
  // Gmail's backfill pages hold up to 500 messages (one messages.list page): fewer, larger lookups.
  const gmailPages = paged(GMAIL_PAGE);
  const perGmailPage = await throughput(total, gmailPages.round);

  const ratio = (value: number) => +(value / TARGET).toFixed(2);
  const result = {
    at: new Date().toISOString(),
    seed: SEED,
    messages: { total, byMailbox: Object.fromEntries(mailboxes.map((m) => [m.seedId, m.messages.length])), decisions: reasons },
    mirror: { contacts: mirrored, seededContacts, addresses: mirroredAddresses },
    groundTruth: { agree, disagree: disagreements.length, sample: disagreements.slice(0, 10) },
    targetMessagesPerSecond: TARGET,
    targetRefersTo: 'perPage',
    pureClassify: { ...pureClassify, ratio: ratio(pureClassify.messagesPerSecond) },
    pureDecide: { ...pureDecide, ratio: ratio(pureDecide.messagesPerSecond) },
    perPage: { pageSize: PAGE, pages: pages.pages, ...perPage, ratio: ratio(perPage.messagesPerSecond) },
    perGmailPage: { pageSize: GMAIL_PAGE, pages: gmailPages.pages, ...perGmailPage, ratio: ratio(perGmailPage.messagesPerSecond) },
  };
  const pass = { perPage: result.perPage.ratio >= 1, groundTruth: disagreements.length === 0 };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/classify.json', `${JSON.stringify({ ...result, pass }, null, 2)}\n`);

  const ok = (b: boolean) => (b ? 'ok' : 'FAIL');
  console.log(`| measure (10k seed: ${total} messages, mirror of ${mirrored} contacts) | messages/s | target | ratio | check |`);
  console.log('|---|---|---|---|---|');
  console.log(`| classify only (R21a rules, in-memory contact index) | ${pureClassify.messagesPerSecond} | ${TARGET} | ${result.pureClassify.ratio} | |`);
  console.log(`| decide only (rules, links, CRM key and payload) | ${pureDecide.messagesPerSecond} | ${TARGET} | ${result.pureDecide.ratio} | |`);
  console.log(`| per page of ${PAGE}: indexed mirror lookup + decide (the target's measure) | ${perPage.messagesPerSecond} | ${TARGET} | ${result.perPage.ratio} | ≥ 1 ${ok(pass.perPage)} |`);
  console.log(`| per page of ${GMAIL_PAGE} (a Gmail backfill page): the same | ${perGmailPage.messagesPerSecond} | ${TARGET} | ${result.perGmailPage.ratio} | |`);
  console.log(`| decisions equal to the ground truth | ${agree} of ${total} | all | | ${ok(pass.groundTruth)} |`);
  console.log(`(written to bench-results/classify.json)`);
  if (!Object.values(pass).every(Boolean)) process.exitCode = 1;
} finally {
  await emulators.stop();
}
