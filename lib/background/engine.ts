import { type EngineDeps, SyncEngine } from '../sync';
import { readCrmConnection, readPrivacyRules, wakeAlarmAt, writeJobProgress } from '../platform';
import { crmApi } from './crm-connection';
import { keepCrmRecordInStep } from './crm-mailbox';
import type { BackgroundDeps } from './deps';
import { finishInterruptedDisconnects, mailboxProvider } from './mailboxes';

/** The alarm that wakes the worker for the earliest persisted wait (a job's `notBefore`). */
export const WAKE_ALARM = 'engine-wake';
/** The alarm that polls every mailbox for new mail (R16), created only if missing. */
export const TICK_ALARM = 'engine-tick';

/** The engine's parts in this background: the providers and CRM of `deps`, the browser's storage and alarms. */
export function engineDeps(deps: BackgroundDeps): EngineDeps {
  return {
    db: deps.db,
    provider: (mailbox) => mailboxProvider(deps, mailbox),
    async crm() {
      const connection = await readCrmConnection();
      return connection && { baseUrl: connection.baseUrl, client: crmApi(deps, connection) };
    },
    privacyRules: readPrivacyRules,
    progress: writeJobProgress,
    wakeAt: (at) => wakeAlarmAt(WAKE_ALARM, at),
    now: Date.now,
    // The CRM's record says "error" while the engine holds the mailbox on an error, and "connected" after (R37).
    async mailboxStatusChanged(mailbox) {
      await keepCrmRecordInStep(deps, mailbox);
    },
  };
}

const engines = new WeakMap<BackgroundDeps, SyncEngine>();

/** The one engine of a set of background dependencies. */
export function engineOf(deps: BackgroundDeps): SyncEngine {
  let engine = engines.get(deps);
  if (!engine) engines.set(deps, (engine = new SyncEngine(engineDeps(deps))));
  return engine;
}

/**
 * The engine's part of a worker start: disconnects the previous worker left half done are
 * finished first (their mailboxes' jobs must not resume, R34), then the engine starts.
 */
export async function resumeEngine(deps: BackgroundDeps, engine: SyncEngine = engineOf(deps)): Promise<void> {
  await finishInterruptedDisconnects(deps);
  await engine.start();
}
