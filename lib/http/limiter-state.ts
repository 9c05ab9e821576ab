import { z } from 'zod';

/** Units a limiter granted at a time (epoch milliseconds). */
export interface Grant {
  at: number;
  cost: number;
}

/**
 * What a limiter keeps across worker restarts: the grants of its last window, complete up to the
 * moment they were saved, and the lease then open: at most `lease.units` more units may have been
 * granted after that save, all before `lease.until` (see `SlidingWindowLimiter`).
 */
export interface LimiterState {
  grants: Grant[];
  lease: { until: number; units: number };
}

const grantSchema = z.object({ at: z.number().finite(), cost: z.number().finite().positive() });
const limiterStateSchema = z.object({
  grants: z.array(grantSchema),
  lease: z.object({ until: z.number().finite(), units: z.number().finite().nonnegative() }),
});

/**
 * Where a limiter's state survives the MV3 worker (`chrome.storage.session` in the extension,
 * `lib/platform/limiter-state.ts`). `load` answers what was saved last, or null/undefined when
 * nothing was; it is checked here, so the store needs to know nothing of its shape.
 */
export interface LimiterStateStore {
  load(): Promise<unknown>;
  save(state: LimiterState): Promise<void>;
}

/** The stored state, or null when none was stored or it does not have the expected shape. */
export async function loadLimiterState(store: LimiterStateStore): Promise<LimiterState | null> {
  const parsed = limiterStateSchema.safeParse(await store.load());
  return parsed.success ? parsed.data : null;
}

/** A store in memory, for a limiter that needs no restart (benchmarks) and for tests of restarts. */
export function memoryLimiterState(): LimiterStateStore & { saved: LimiterState | null; saves: number } {
  return {
    saved: null,
    saves: 0,
    async load() {
      return this.saved;
    },
    async save(state) {
      this.saved = structuredClone(state);
      this.saves++;
    },
  };
}

/**
 * At most ~`buckets` entries for a history of `windowMs`: grants closer than `windowMs / buckets`
 * to the first of their run are merged into one at the run's latest time. Merged units leave the
 * window no earlier than they really do, so the compacted history never admits more. A Graph
 * budget holds up to 10,000 grants in its window; its stored history stays small.
 */
export function compactGrants(grants: readonly Grant[], windowMs: number, buckets = 100): Grant[] {
  const step = windowMs / buckets;
  const out: Grant[] = [];
  let runStart = Number.NEGATIVE_INFINITY;
  for (const grant of grants) {
    const last = out.at(-1);
    if (last && grant.at - runStart < step) {
      last.at = Math.max(last.at, grant.at);
      last.cost += grant.cost;
    } else {
      out.push({ ...grant });
      runStart = grant.at;
    }
  }
  return out;
}
