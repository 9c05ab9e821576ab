import { browser } from 'wxt/browser';

/**
 * Creates a repeating alarm unless one with that name exists. Re-creating would reset its due
 * time on every worker start; and Chrome may drop alarms on browser restart, so callers run this
 * on each start (R16).
 */
export async function ensureAlarm(name: string, periodInMinutes: number): Promise<void> {
  const existing = await browser.alarms.get(name);
  if (existing?.periodInMinutes === periodInMinutes) return;
  await browser.alarms.create(name, { periodInMinutes, delayInMinutes: periodInMinutes });
}

/** Calls `listener` whenever the named alarm fires. Returns a function that stops listening. */
export function onAlarm(name: string, listener: () => void): () => void {
  const handler = (alarm: { name: string }) => {
    if (alarm.name === name) listener();
  };
  browser.alarms.onAlarm.addListener(handler);
  return () => browser.alarms.onAlarm.removeListener(handler);
}

/**
 * Sets a one-shot alarm for `when` (milliseconds since the epoch), unless one with that name is
 * already due at or before it: the earliest wake wins. Chrome fires alarms no sooner than 30 s
 * from now (Chrome 120+), so an earlier time is moved to then.
 */
export async function wakeAlarmAt(name: string, when: number): Promise<void> {
  const existing = await browser.alarms.get(name);
  const at = Math.max(when, Date.now() + 30_000);
  if (existing && existing.scheduledTime <= at && existing.scheduledTime > Date.now()) return;
  await browser.alarms.create(name, { when: at });
}
