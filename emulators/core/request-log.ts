/** One request a peer served, read back through `GET /__admin/requests`. */
export interface LoggedRequest {
  seq: number;
  at: number;
  service: string;
  method: string;
  path: string;
  query: string;
  status: number;
  durationMs: number;
  /** The mailbox or CRM user it acted for, when authenticated. */
  user: string | null;
  /** Quota units it cost (Gmail), 0 elsewhere. */
  cost: number;
  /** True for a part of a batch request (the batch itself is logged too). */
  batchPart: boolean;
  /** Set when an injected fault answered it. */
  faultId: number | null;
}

/** What is known of a request only once it has been answered. */
type RequestOutcome = Pick<LoggedRequest, 'status' | 'user' | 'cost' | 'faultId'>;

/**
 * Starts the log entry of a request as it arrives (its time and duration count from here);
 * the returned function completes the entry once the request is answered.
 */
export function startEntry(service: string, request: Request, batchPart: boolean): (outcome: RequestOutcome) => Omit<LoggedRequest, 'seq'> {
  const started = performance.now();
  const url = new URL(request.url);
  return (outcome) => ({
    at: Date.now(),
    service,
    method: request.method,
    path: url.pathname,
    query: url.search,
    durationMs: performance.now() - started,
    batchPart,
    ...outcome,
  });
}

/** Bounded so a long benchmark cannot grow it without limit; the oldest entries go first. */
const MAX_ENTRIES = 200_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  add(entry: Omit<LoggedRequest, 'seq'>): void {
    this.entries.push({ ...entry, seq: ++this.seq });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  query(filter: { service?: string; since?: number; path?: string }): LoggedRequest[] {
    const pattern = filter.path ? new RegExp(filter.path) : null;
    return this.entries.filter(
      (e) =>
        (!filter.service || e.service === filter.service) &&
        (filter.since === undefined || e.seq > filter.since) &&
        (!pattern || pattern.test(e.path)),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
