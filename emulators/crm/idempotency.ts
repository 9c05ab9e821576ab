import { setTimeout as sleep } from 'node:timers/promises';
import type { MiddlewareHandler } from 'hono';
import { canonicalJson } from './canonical';
import type { CrmEnv } from './api-context';
import { fail } from './errors';

const RETENTION_MS = 24 * 3600_000;
const MAX_KEY_LENGTH = 255;

interface StoredAnswer {
  fingerprint: string;
  /** Null while the first request with the key is still being processed. */
  answer: { status: number; body: string; contentType: string | null } | null;
  at: number;
}

/** One write request as the CRM saw it (`GET /__admin/crm/writes`). */
export interface WriteRecord {
  seq: number;
  at: string;
  user: string;
  method: string;
  path: string;
  query: string;
  idempotency_key: string | null;
  replayed: boolean;
  status: number;
}

/**
 * A write the CRM is slow to process (`POST /__admin/crm/slow-writes`): the key is taken, then
 * the route runs after `delayMs`. With `drop`, the connection is closed at once, as a proxy that
 * times out does, while the CRM goes on and stores its answer for the key.
 */
export interface SlowWrite {
  method?: string;
  pattern: RegExp;
  delayMs: number;
  drop: boolean;
  remaining: number;
}

/** How long a client should wait before repeating a request that is still being processed. */
const IN_PROGRESS_RETRY_AFTER_SEC = 1;

/** Stored answers by user and `Idempotency-Key`, the log of every write, and slow writes to come. */
export class IdempotencyStore {
  private entries = new Map<string, StoredAnswer>();
  readonly writes: WriteRecord[] = [];
  private slow: SlowWrite[] = [];

  clear(): void {
    this.entries.clear();
    this.writes.length = 0;
    this.slow = [];
  }

  /** Makes the next `count` writes matching `method` and `path` (a regular expression) slow. */
  addSlowWrite(spec: { method?: string; path: string; delayMs: number; drop?: boolean; count?: number }): void {
    this.slow.push({ method: spec.method?.toUpperCase(), pattern: new RegExp(spec.path), delayMs: spec.delayMs, drop: spec.drop ?? false, remaining: spec.count ?? 1 });
  }

  /** Takes one use of the first slow write matching the request, if any. */
  takeSlowWrite(method: string, path: string): SlowWrite | null {
    const slow = this.slow.find((s) => (!s.method || s.method === method) && s.pattern.test(path) && s.remaining > 0);
    if (!slow) return null;
    slow.remaining--;
    this.slow = this.slow.filter((s) => s.remaining > 0);
    return slow;
  }

  lookup(user: string, key: string): StoredAnswer | undefined {
    const entry = this.entries.get(`${user}\n${key}`);
    if (entry && entry.at + RETENTION_MS < Date.now()) {
      this.entries.delete(`${user}\n${key}`);
      return undefined;
    }
    return entry;
  }

  reserve(user: string, key: string, fingerprint: string): StoredAnswer {
    const entry: StoredAnswer = { fingerprint, answer: null, at: Date.now() };
    this.entries.set(`${user}\n${key}`, entry);
    return entry;
  }

  release(user: string, key: string): void {
    this.entries.delete(`${user}\n${key}`);
  }

  log(record: Omit<WriteRecord, 'seq' | 'at'>): void {
    this.writes.push({ seq: this.writes.length + 1, at: new Date().toISOString(), ...record });
  }
}

/** Method, path, query and body (JSON with sorted keys) of a request. */
function fingerprint(method: string, url: URL, body: string): string {
  let canonical = body;
  try {
    canonical = canonicalJson(JSON.parse(body));
  } catch {
    // Not JSON: the bytes themselves.
  }
  return `${method} ${url.pathname}${url.search}\n${canonical}`;
}

/**
 * The contract's idempotency rules for a write route: the key is required; a repeat with the
 * same request replays the stored answer; another request under the key is a 409
 * `idempotency_conflict`, final; the same request while the first is still being processed is a
 * 409 `idempotency_in_progress` with `Retry-After`, to be repeated later (as the IETF
 * Idempotency-Key draft and Stripe tell the two apart). Answers below 500 are stored, so a retry
 * after a server error runs again.
 */
export function idempotent(store: IdempotencyStore): MiddlewareHandler<CrmEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const user = c.get('session').user;
    const key = c.req.header('idempotency-key') ?? null;
    const log = (status: number, replayed: boolean) =>
      store.log({ user, method: c.req.method, path: url.pathname, query: url.search, idempotency_key: key, replayed, status });

    if (!key || key.length > MAX_KEY_LENGTH) {
      log(400, false);
      return fail(c, 400, 'idempotency_key_required', `Writes need an Idempotency-Key header of 1 to ${MAX_KEY_LENGTH} characters.`);
    }
    const print = fingerprint(c.req.method, url, await c.req.text());
    const stored = store.lookup(user, key);
    if (stored) {
      if (stored.fingerprint !== print) {
        log(409, false);
        return fail(c, 409, 'idempotency_conflict', 'This Idempotency-Key was already used with another request.', { idempotency_key: key });
      }
      if (!stored.answer) {
        log(409, false);
        return fail(c, 409, 'idempotency_in_progress', 'A request with this Idempotency-Key is still being processed.', { idempotency_key: key }, {
          'Retry-After': String(IN_PROGRESS_RETRY_AFTER_SEC),
        });
      }
      log(stored.answer.status, true);
      const headers: Record<string, string> = { 'Idempotent-Replayed': 'true' };
      if (stored.answer.contentType) headers['Content-Type'] = stored.answer.contentType;
      return new Response(stored.answer.body || null, { status: stored.answer.status, headers });
    }

    const entry = store.reserve(user, key, print);
    const slow = store.takeSlowWrite(c.req.method, url.pathname);
    // The body was read above (the fingerprint), so the route still has it after a drop.
    if (slow?.drop) c.env.incoming.socket.destroy();
    if (slow) await sleep(slow.delayMs);
    try {
      await next();
    } finally {
      if (c.res.status < 500 && !c.error) {
        entry.answer = { status: c.res.status, body: await c.res.clone().text(), contentType: c.res.headers.get('content-type') };
      } else {
        store.release(user, key);
      }
      log(c.res.status, false);
    }
  };
}
