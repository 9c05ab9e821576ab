import { expect } from 'vitest';
import { ProviderError } from '@/lib/domain';

/** The typed error a call fails with; the test fails if the call succeeds or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => expect.fail('expected the call to fail'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
