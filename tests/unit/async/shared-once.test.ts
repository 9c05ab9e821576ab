import { describe, expect, it } from 'vitest';
import { sharedOnce } from '@/lib/async/shared-once';

/** A read the test settles by hand, counting how often it was started. */
function controlledRead<T>() {
  const pending: { resolve: (value: T) => void; reject: (error: unknown) => void }[] = [];
  const read = () => new Promise<T>((resolve, reject) => void pending.push({ resolve, reject }));
  return { read, pending };
}

describe('sharedOnce (a provider’s identity and folder names)', () => {
  it('one caller aborting does not fail the read the others wait for', async () => {
    const { read, pending } = controlledRead<string>();
    const identity = sharedOnce(read);
    const first = new AbortController();
    const reason = new Error('first caller cancelled');
    const aborted = identity.get(first.signal);
    const second = identity.get(new AbortController().signal);
    first.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    pending[0]!.resolve('riley@acme-sales.test');
    await expect(second).resolves.toBe('riley@acme-sales.test');
    // One read for both, and kept for the next caller.
    await expect(identity.get()).resolves.toBe('riley@acme-sales.test');
    expect(pending).toHaveLength(1);
  });

  it('a caller whose signal is already aborted starts no read', async () => {
    const { read, pending } = controlledRead<string>();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(sharedOnce(read).get(controller.signal)).rejects.toThrow('gone');
    expect(pending).toHaveLength(0);
  });

  it('a failed read is forgotten: the next caller reads again', async () => {
    const { read, pending } = controlledRead<string>();
    const identity = sharedOnce(read);
    const failed = identity.get();
    pending[0]!.reject(new Error('server'));
    await expect(failed).rejects.toThrow('server');
    const retried = identity.get();
    expect(pending).toHaveLength(2);
    pending[1]!.resolve('riley@acme-sales.test');
    await expect(retried).resolves.toBe('riley@acme-sales.test');
  });

  it('refresh reads afresh; the older read failing later does not drop the newer one', async () => {
    const { read, pending } = controlledRead<string>();
    const identity = sharedOnce(read);
    const old = identity.get();
    const fresh = identity.refresh();
    pending[1]!.resolve('new');
    await expect(fresh).resolves.toBe('new');
    pending[0]!.reject(new Error('late failure'));
    await expect(old).rejects.toThrow('late failure');
    await expect(identity.get()).resolves.toBe('new');
    expect(pending).toHaveLength(2);
  });
});
