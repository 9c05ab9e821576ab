/**
 * Measures how closely the Gmail provider uses Gmail's per-user quota (250 units/s as a moving
 * average) without crossing it, against the Google emulator enforcing that quota as a strict
 * one-second sliding window:
 * - achieved units/s over the steady part of a sustained getMessages load, against the bound
 *   (must be at least 0.90 of it);
 * - then 1.5 s idle and a burst of getMessages, the case a token bucket gets wrong (a full bucket
 *   plus its refill in one second);
 * - the most units in any 1-second sliding window, from the emulator's request log, in the steady
 *   part and over the whole run, idle and burst included (must not exceed the bound);
 * - 429 answers over the whole run (must be none: the emulator refuses any excess).
 * Also prints what a 30-day backfill window costs with messages.get only against threads.get for
 * threads with 3 or more messages on the page (the provider's default).
 *
 * The emulators run in this process (`startEmulators`); the provider signs in with a plain access
 * token. Prints a table and writes bench-results/gmail-quota.json.
 *
 * Run: npm run bench:gmail-quota [-- --seconds 20 --size 10k --margin-ms 50]
 * (`--margin-ms` overrides the limiter's `QUOTA_MARGIN_MS`, to measure what margin is needed.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulators } from '../../emulators';
import type { LoggedRequest } from '../../emulators/core/request-log';
import { googleSignIn } from '../../emulators/google/sign-in';
import { staticToken } from '../../lib/auth/access-token';
import { createGmailProvider, GMAIL_UNITS_PER_SECOND, gmailLimiter } from '../../lib/providers/gmail';
import { QUOTA_MARGIN_MS } from '../../lib/providers/gmail/quota';
import type { MailProvider } from '../../lib/providers/mail-provider';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '20' }, size: { type: 'string', default: '10k' }, 'margin-ms': { type: 'string', default: String(QUOTA_MARGIN_MS) } },
});
const DURATION_MS = Number(values.seconds) * 1000;
const MARGIN_MS = Number(values['margin-ms']);
/** The second phase: this long idle, then getMessages for this many ids (5 units each). */
const IDLE_MS = 1500;
const BURST_IDS = 300;
const BOUND = GMAIL_UNITS_PER_SECOND;
const RILEY = 'riley@acme-sales.test';
const DAY = 86_400_000;

const emulators = await startEmulators({ size: values.size as '10k', seed: 1 });
const base = emulators.urls.google;
const admin = (path: string, body?: unknown, method = 'POST') =>
  fetch(`${base}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const log = async (): Promise<LoggedRequest[]> => (await (await fetch(`${base}/__admin/requests?service=google`)).json()) as LoggedRequest[];

const token = staticToken(String((await googleSignIn(base, { login_hint: RILEY })).tokens!.access_token));

function provider(unitsPerSecond: number, threadsFrom?: number): MailProvider {
  return createGmailProvider({ mailboxId: 'riley', tokens: token, gmailApiUrl: base, revoke: async () => undefined, limiter: gmailLimiter({ unitsPerSecond, marginMs: MARGIN_MS }), threadsFrom });
}

/** Quota units a whole 30-day window costs, read from the request log. */
async function windowUnits(threadsFrom?: number): Promise<{ units: number; messages: number }> {
  const gmail = provider(1_000_000, threadsFrom);
  await gmail.identity();
  await admin('/requests', undefined, 'DELETE');
  let cursor: string | null = null;
  let messages = 0;
  const since = Date.now() - 30 * DAY;
  do {
    const page = await gmail.listWindow({ since, cursor, visibility: 'metadata' });
    messages += page.messages.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { units: (await log()).reduce((sum, r) => sum + r.cost, 0), messages };
}

/** The most units whose requests fall inside any window of `ms` (two pointers over time). */
function maxInWindow(entries: LoggedRequest[], ms: number): number {
  let best = 0;
  let sum = 0;
  let start = 0;
  for (const entry of entries) {
    sum += entry.cost;
    while (entry.at - entries[start]!.at >= ms) sum -= entries[start++]!.cost;
    best = Math.max(best, sum);
  }
  return best;
}

/** The requests that cost units, in time order. */
const costly = (entries: LoggedRequest[]) => entries.filter((e) => e.cost > 0).sort((a, b) => a.at - b.at || a.seq - b.seq);

/** Batches are the load's events: their first part's time and their units (an envelope is logged after its parts). */
function batches(entries: LoggedRequest[]): { at: number; units: number }[] {
  const events: { at: number; units: number }[] = [];
  let open: { at: number; units: number } | null = null;
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (entry.batchPart) {
      open ??= { at: entry.at, units: 0 };
      open.units += entry.cost;
    } else if (open && entry.path === '/batch/gmail/v1') {
      events.push(open);
      open = null;
    }
  }
  return events;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  // 1. Cost of a backfill window, both ways (the quota is lifted: only units count here).
  await admin('/config', { gmailUnitsPerSecond: 1_000_000 }, 'PUT');
  const messagesOnly = await windowUnits(Number.POSITIVE_INFINITY);
  const threads = await windowUnits();

  // 2. Sustained getMessages at the real quota, through the provider's limiter.
  await admin('/config', { gmailUnitsPerSecond: BOUND }, 'PUT');
  const gmail = provider(BOUND);
  await gmail.identity();
  const ids = emulators.context.world.messages.filter((m) => m.mailboxId === 'riley').map((m) => m.providerId);
  await sleep(1100);
  await admin('/requests', undefined, 'DELETE');
  const started = Date.now();
  let next = 0;
  let read = 0;
  const worker = async () => {
    while (Date.now() - started < DURATION_MS) {
      const chunk = Array.from({ length: 100 }, () => ids[next++ % ids.length]!);
      const messages = await gmail.getMessages({ ids: chunk, visibility: 'metadata' });
      read += messages.length;
    }
  };
  await Promise.all([worker(), worker()]);
  const steady = await log();

  // 3. Idle, then a burst from two callers at once: the limiter's window is empty again.
  await sleep(IDLE_MS);
  const burstStarted = performance.now();
  const half = BURST_IDS / 2;
  const burst = await Promise.all([0, half].map((from) => gmail.getMessages({ ids: ids.slice(from, from + half), visibility: 'metadata' })));
  const burstSeconds = (performance.now() - burstStarted) / 1000;
  const whole = await log();

  const events = batches(steady);
  // Steady rate: every batch but the last, over the time from the first batch to the last.
  const span = (events.at(-1)!.at - events[0]!.at) / 1000;
  const achieved = events.slice(0, -1).reduce((sum, e) => sum + e.units, 0) / span;
  const maxSteady = maxInWindow(costly(steady), 1000);
  const maxWhole = maxInWindow(costly(whole), 1000);
  const refused = whole.filter((e) => e.status === 429).length;

  const result = {
    at: new Date().toISOString(),
    size: values.size,
    boundUnitsPerSecond: BOUND,
    limiterWindowMs: 1000 + MARGIN_MS,
    sustained: {
      seconds: Number(values.seconds),
      messagesRead: read,
      batches: events.length,
      achievedUnitsPerSecond: +achieved.toFixed(1),
      achievedRatio: +(achieved / BOUND).toFixed(3),
      maxUnitsIn1s: maxSteady,
      maxWindowRatio: +(maxSteady / BOUND).toFixed(3),
    },
    idleThenBurst: {
      idleMs: IDLE_MS,
      messagesRead: burst.flat().length,
      seconds: +burstSeconds.toFixed(2),
    },
    wholeRun: {
      maxUnitsIn1s: maxWhole,
      maxWindowRatio: +(maxWhole / BOUND).toFixed(3),
      responses429: refused,
    },
    window30Days: {
      messages: threads.messages,
      messagesGetOnlyUnits: messagesOnly.units,
      threadsFrom3Units: threads.units,
      ratio: +(threads.units / messagesOnly.units).toFixed(3),
    },
  };
  const pass = {
    achieved: result.sustained.achievedRatio >= 0.9,
    windowSteady: result.sustained.maxWindowRatio <= 1,
    windowWhole: result.wholeRun.maxWindowRatio <= 1,
    refused: refused === 0,
  };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/gmail-quota.json', `${JSON.stringify({ ...result, pass }, null, 2)}\n`);

  const ok = (b: boolean) => (b ? 'ok' : 'FAIL');
  console.log(`| measure (${values.size} seed, ${values.seconds} s of getMessages, limiter window ${1000 + MARGIN_MS} ms) | value | bound | ratio | check |`);
  console.log('|---|---|---|---|---|');
  console.log(`| achieved units/s, steady | ${result.sustained.achievedUnitsPerSecond} | ${BOUND} | ${result.sustained.achievedRatio} | ≥ 0.90 ${ok(pass.achieved)} |`);
  console.log(`| most units in any 1 s window, steady | ${maxSteady} | ${BOUND} | ${result.sustained.maxWindowRatio} | ≤ 1.0 ${ok(pass.windowSteady)} |`);
  console.log(`| most units in any 1 s window, whole run (steady, ${IDLE_MS / 1000} s idle, burst of ${BURST_IDS} messages in ${result.idleThenBurst.seconds} s) | ${maxWhole} | ${BOUND} | ${result.wholeRun.maxWindowRatio} | ≤ 1.0 ${ok(pass.windowWhole)} |`);
  console.log(`| 429 answers, whole run | ${refused} | 0 | | ${ok(pass.refused)} |`);
  console.log(`| 30-day window (${threads.messages} messages): threads.get from 3 vs messages.get only | ${threads.units} units | ${messagesOnly.units} units | ${result.window30Days.ratio} | |`);
  console.log(`(${read} messages read in ${events.length} batches; written to bench-results/gmail-quota.json)`);
  if (!Object.values(pass).every(Boolean)) process.exitCode = 1;
} finally {
  await emulators.stop();
}
