/**
 * The engine's Outlook backfill, fetch to CRM push, in Node (issue 9's target, ≤ 15 s, is for
 * Chromium; this is the Node reference). The engine runs as the background runs it (`SyncEngine`
 * with the real providers, CRM client, fake-indexeddb and WXT's fake browser, on the real clock)
 * against the emulators in this process, with Graph's throttling on as the emulator enforces it
 * (4 concurrent requests and 10,000 per 10 minutes per mailbox) and the provider's own limiter.
 * It backfills the support mailbox (`--days`, default 400: the whole seeded mailbox) and the
 * outbox drains meanwhile; the time is from the backfill asked for to the last CRM write
 * answered, read from the CRM emulator's request log. The CRM is then checked against the
 * ground truth of the window.
 *
 * `--size` picks the world (seed 1): by default 25000 messages, whose support mailbox holds
 * about 10,000 outside spam, trash and drafts (a 10k-message Outlook backfill); `10k` is the 10k
 * seed, whose support mailbox holds about 4,000 of its 10,000.
 * Prints a table and writes bench-results/outlook-backfill-<size>.json.
 *
 * Run: npm run bench:outlook-backfill [-- --size 25000 --days 400]
 */
import './support/extension-globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulators } from '../../emulators';
import { BenchEngine } from './support/engine-bench';

const { values } = parseArgs({ options: { size: { type: 'string', default: '25000' }, days: { type: 'string', default: '400' } } });
const SIZE = /^\d+$/.test(values.size) ? Number(values.size) : (values.size as '10k');
const DAYS = Number(values.days);
/** Issue 9's bound for Chromium, shown for scale only: this run is Node. */
const CHROMIUM_BOUND_S = 15;
const NOW = Date.now();
const SEED = { seed: 1, size: SIZE, now: NOW };

const emulators = await startEmulators(SEED);
const bench = new BenchEngine(emulators.urls);

try {
  await bench.setUp(SEED);
  const config = await bench.google.put<{ graphConcurrency: number; graphRequestsPer10Min: number }>('/config', {});
  // The first incremental sync and the contact mirror run before, as after a connect.
  const { mailbox, started, backfillEnded, run, since } = await bench.timedBackfill('outlook', DAYS);

  const graph = await bench.microsoft.requests();
  const pushes = (await bench.crm.requests(/\/emails\/batch$/)).filter((e) => e.at >= started);
  const lastPush = Math.max(...pushes.filter((e) => e.status < 300).map((e) => e.at));
  const crm = await bench.checkCrm((await bench.truth(['support'], since)).crmEmails);
  const seconds = (lastPush - started) / 1000;

  const result = {
    at: new Date().toISOString(),
    seed: SEED,
    mailbox: mailbox.address,
    days: DAYS,
    throttling: { concurrency: config.graphConcurrency, requestsPer10Min: config.graphRequestsPer10Min },
    messages: run.counts.fetched,
    pushed: crm.received,
    fetchToLastCrmPushSeconds: +seconds.toFixed(2),
    backfillSeconds: +((backfillEnded - started) / 1000).toFixed(2),
    messagesPerSecond: Math.round(run.counts.fetched / seconds),
    chromiumBoundSeconds: CHROMIUM_BOUND_S,
    ratioToChromiumBound: +(seconds / CHROMIUM_BOUND_S).toFixed(3),
    graph: { requests: graph.length, responses429: graph.filter((e) => e.status === 429).length },
    crmBatches: pushes.length,
    runStatus: run.status,
    persistedWaits: bench.waits.length,
    crm,
  };
  const pass = { crm: crm.missing === 0 && crm.extra === 0 && crm.rewritten === 0 && crm.wrongContacts === 0, run: run.status === 'succeeded' };
  mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/outlook-backfill-${values.size}.json`;
  writeFileSync(file, `${JSON.stringify({ ...result, pass }, null, 2)}\n`);

  const ok = (b: boolean) => (b ? 'ok' : 'FAIL');
  console.log(`| measure (world ${values.size}, ${mailbox.address}, ${DAYS}-day backfill, Graph throttling ${config.graphConcurrency} concurrent, ${config.graphRequestsPer10Min}/10 min) | value | Chromium bound | ratio | check |`);
  console.log('|---|---|---|---|---|');
  console.log(`| fetch to the last CRM push, Node (${result.messages} messages, ${result.pushed} pushed) | ${result.fetchToLastCrmPushSeconds} s | ${CHROMIUM_BOUND_S} s | ${result.ratioToChromiumBound} | reference |`);
  console.log(`| backfill job alone (list, classify, commit) | ${result.backfillSeconds} s | | | |`);
  console.log(`| Graph requests / 429 answers; CRM batches | ${graph.length} / ${result.graph.responses429}; ${pushes.length} | | | |`);
  console.log(`| CRM against the ground truth: expected, missing, extra, rewritten, wrong contacts | ${crm.expected}, ${crm.missing}, ${crm.extra}, ${crm.rewritten}, ${crm.wrongContacts} | | | ${ok(pass.crm)} |`);
  console.log(`(run ${run.status}, ${bench.waits.length} persisted waits; written to ${file})`);
  if (!Object.values(pass).every(Boolean)) process.exitCode = 1;
} finally {
  await emulators.stop();
}
