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

/** Stored answers by user and `Idempotency-Key`, and the log of every write. */
export class IdempotencyStore {
  private entries = new Map<string, StoredAnswer>();
  readonly writes: WriteRecord[] = [];

  clear(): void {
    this.entries.clear();
    this.writes.length = 0;
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
 * same request replays the stored answer; another request under the key is a 409. Answers
 * below 500 are stored, so a retry after a server error runs again.
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
      if (stored.fingerprint !== print || !stored.answer) {
        log(409, false);
        const message = stored.answer ? 'This Idempotency-Key was already used with another request.' : 'A request with this Idempotency-Key is still being processed.';
        return fail(c, 409, 'idempotency_conflict', message, { idempotency_key: key });
      }
      log(stored.answer.status, true);
      const headers: Record<string, string> = { 'Idempotent-Replayed': 'true' };
      if (stored.answer.contentType) headers['Content-Type'] = stored.answer.contentType;
      return new Response(stored.answer.body || null, { status: stored.answer.status, headers });
    }

    const entry = store.reserve(user, key, print);
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
