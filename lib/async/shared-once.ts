import { untilAborted } from './until-aborted';

/** A value read once and shared by every caller of a provider (the identity, the folder names). */
export interface SharedOnce<T> {
  /** The value: cached, being read, or read now. */
  get(signal?: AbortSignal): Promise<T>;
  /** Reads the value afresh, and caches that read for the next callers. */
  refresh(signal?: AbortSignal): Promise<T>;
}

/**
 * Caches what `read` gives. The read runs on no caller's signal: it is shared, so the first caller
 * aborting must not fail it for the others; each caller stops waiting when its own signal aborts.
 * A read that fails is forgotten, so the next caller tries again.
 */
export function sharedOnce<T>(read: () => Promise<T>): SharedOnce<T> {
  let cached: Promise<T> | null = null;
  const start = () => {
    const reading: Promise<T> = read().catch((error: unknown) => {
      // Only this read: a refresh may have replaced it meanwhile.
      if (cached === reading) cached = null;
      throw error;
    });
    cached = reading;
    return reading;
  };
  return {
    get: (signal) => untilAborted(signal, () => (cached ??= start())),
    refresh: (signal) => untilAborted(signal, start),
  };
}
