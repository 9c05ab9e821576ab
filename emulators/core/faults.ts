import { z } from 'zod';

/**
 * Faults injected by route and count (`POST /__admin/faults`). The next `count` requests whose
 * service, method and path match get the fault instead of (or, for a bare delay, before) the
 * normal answer.
 */
export const faultSpecSchema = z
  .object({
    service: z.enum(['google', 'microsoft', 'crm']),
    /** HTTP method to match; any when absent. */
    method: z.string().toUpperCase().optional(),
    /** A regular expression tested against the request path (without the query). */
    path: z.string().min(1),
    count: z.number().int().positive().default(1),
    /** Answer with this status, in the peer's own error shape. */
    status: z.number().int().min(400).max(599).optional(),
    /** The peer's error reason, e.g. Gmail's `rateLimitExceeded` or Graph's `TooManyRequests`. */
    reason: z.string().optional(),
    /** `Retry-After` header, in seconds; null sends none, even where the peer's default has one. */
    retryAfter: z.number().int().nonnegative().nullable().optional(),
    /** Wait this long first; alone, it only slows the normal answer. */
    delayMs: z.number().int().nonnegative().optional(),
    /** Destroy the connection without answering. */
    drop: z.boolean().optional(),
    /** Answer 200 with this raw body as JSON content (malformed JSON). */
    rawBody: z.string().optional(),
  })
  .strict();
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface Fault extends FaultSpec {
  id: number;
  remaining: number;
  pattern: RegExp;
}

export class FaultRegistry {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, remaining: spec.count, pattern: new RegExp(spec.path) };
    this.faults.push(fault);
    return fault;
  }

  /** Takes one use of the first fault matching the request, if any. */
  take(service: string, method: string, path: string): Fault | null {
    const fault = this.faults.find(
      (f) => f.service === service && (!f.method || f.method === method) && f.pattern.test(path) && f.remaining > 0,
    );
    if (!fault) return null;
    fault.remaining--;
    if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  list(): Fault[] {
    return [...this.faults];
  }

  clear(): void {
    this.faults = [];
  }
}
