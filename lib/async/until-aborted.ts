/** What `begin` starts, or the signal's reason as soon as it aborts; the work itself goes on. */
export function untilAborted<T>(signal: AbortSignal | undefined, begin: () => Promise<T>): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const work = begin();
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
