import { describe, expect, it } from 'vitest';
import { WaitQueue } from '@/lib/async';

describe('WaitQueue', () => {
  it('serves callers in arrival order and fails them with the error given', async () => {
    const queue = new WaitQueue<string>(() => undefined);
    const first = queue.join('a');
    const second = queue.join('b');
    expect(queue.head?.ask).toBe('a');
    queue.shift()!.grant();
    await expect(first).resolves.toBeUndefined();
    expect(queue.length).toBe(1);
    for (const waiting of queue.drain()) waiting.fail(new Error('spent'));
    await expect(second).rejects.toThrow('spent');
    expect(queue.length).toBe(0);
  });

  it('lets an aborted caller leave at once, and tells the owner so the ones behind can be served', async () => {
    let left = 0;
    const queue = new WaitQueue<number>(() => left++);
    const abort = new AbortController();
    const leaving = queue.join(1, abort.signal);
    const staying = queue.join(2);
    abort.abort(new Error('cancelled'));
    await expect(leaving).rejects.toThrow('cancelled');
    expect(left).toBe(1);
    expect(queue.head?.ask).toBe(2);
    queue.shift()!.grant();
    await expect(staying).resolves.toBeUndefined();
    // A signal already aborted never joins.
    await expect(queue.join(3, abort.signal)).rejects.toThrow('cancelled');
    expect(queue.length).toBe(0);
  });
});
