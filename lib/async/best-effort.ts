/** One step that failed without stopping its caller. */
export interface BestEffortFailure {
  /** The step, e.g. "revoke the replaced CRM grant". */
  what: string;
  /** The error's name, its code when it has one, and a typed error's plain message. */
  error: string;
  at: number;
}

/** The stable prefix of the warning, to find these in the worker's console. */
export const BEST_EFFORT_PREFIX = '[mailbox-crm] best effort:';
/** How many failures are kept in memory; older ones go first. */
export const BEST_EFFORT_KEPT = 20;

/** Typed errors whose message is plain words by contract (never a token, URL or mail body). */
const PLAIN_MESSAGES: ReadonlySet<string> = new Set(['ProviderError', 'MessagingError']);

const failures: BestEffortFailure[] = [];

/**
 * Waits for a step whose failure must not stop the caller (revoking a grant that is being dropped
 * anyway, say), and records a failure instead of swallowing it: a `console.warn` with
 * `BEST_EFFORT_PREFIX`, and an entry in a short in-memory list (`bestEffortFailures`). Only the
 * step's name and the error's name and code are recorded, plus the message of a typed error; any
 * other message could quote a URL with a token or a piece of a body, so it is left out.
 * Resolves with the step's value, or `undefined` when it failed.
 */
export async function bestEffort<T>(what: string, step: Promise<T>): Promise<T | undefined> {
  try {
    return await step;
  } catch (error) {
    const failure = { what, error: describeFailure(error), at: Date.now() };
    failures.push(failure);
    if (failures.length > BEST_EFFORT_KEPT) failures.splice(0, failures.length - BEST_EFFORT_KEPT);
    console.warn(BEST_EFFORT_PREFIX, `${failure.what} failed: ${failure.error}`);
    return undefined;
  }
}

/** The recent best-effort failures, oldest first (diagnostics; the list lives as long as the worker). */
export function bestEffortFailures(): readonly BestEffortFailure[] {
  return [...failures];
}

/**
 * An error as it may be logged: its name, its code when it has one, and the message of a typed
 * error only (any other message could quote a URL with a token or a piece of a body).
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  const named = typeof code === 'string' ? `${error.name} ${code}` : error.name;
  return PLAIN_MESSAGES.has(error.name) ? `${named}: ${error.message}` : named;
}
