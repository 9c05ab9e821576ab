import { afterAll, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { connectCrm, disconnectCrm } from '@/lib/background/crm-connection';
import type { BackgroundDeps } from '@/lib/background/deps';
import { readCrmConnection } from '@/lib/platform';
import { failure } from '../../support/provider-error';
import { emulatorAdmin } from '../../support/emulator-admin';
import { emulatorBackgroundDeps } from '../../support/emulator-endpoints';

let emulators: RunningEmulators;
let deps: BackgroundDeps;
let crm: string;
/** The browser's `permissions.remove`, answering as Chrome does for an optional permission. */
let removed: MockInstance<typeof fakeBrowser.permissions.remove>;
/** What the manifest grants at install (`host_permissions`). */
let granted: string[];

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 5 });
  crm = emulators.urls.crm;
  deps = emulatorBackgroundDeps(emulators.urls);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  fakeBrowser.reset();
  vi.restoreAllMocks();
  granted = [];
  vi.spyOn(fakeBrowser.permissions, 'contains').mockImplementation(async () => true);
  vi.spyOn(fakeBrowser.runtime, 'getManifest').mockImplementation(() => ({ manifest_version: 3, name: 'test', version: '1', host_permissions: granted }));
  removed = vi.spyOn(fakeBrowser.permissions, 'remove').mockImplementation(async () => true);
  await emulatorAdmin(crm).post('/reset');
});

const pat = (baseUrl: string) => ({ baseUrl, authMethod: 'personal_token', token: 'crm_pat_demo' }) as const;

describe('the CRM host permission (R8, R34)', () => {
  it('is given up when the CRM is disconnected: its origin, port included', async () => {
    await connectCrm(deps, pat(crm));
    await disconnectCrm(deps);
    expect(removed.mock.calls).toEqual([[{ origins: [`${crm}/*`] }]]);
    expect(crm).toMatch(/:\d+$/);
    expect(await readCrmConnection()).toBeNull();
  });

  it('is given up again when a connect to a new origin fails, and kept when the failing connect is to the current origin', async () => {
    const port = new URL(crm).port;
    await connectCrm(deps, pat(crm));
    await failure(connectCrm(deps, { ...pat(`http://localhost:${port}`), token: 'crm_pat_not_a_token' }));
    expect(removed.mock.calls).toEqual([[{ origins: [`http://localhost:${port}/*`] }]]);
    removed.mockClear();
    await failure(connectCrm(deps, { ...pat(crm), token: 'crm_pat_not_a_token' }));
    expect(removed).not.toHaveBeenCalled();
    expect(await readCrmConnection()).toEqual({ baseUrl: crm, authMethod: 'personal_token' });
  });

  it('is kept when the connection is replaced by one on the same origin, and given up when the origin changes', async () => {
    const port = new URL(crm).port;
    await connectCrm(deps, pat(`http://localhost:${port}`));
    await connectCrm(deps, pat(`http://localhost:${port}/`));
    expect(removed).not.toHaveBeenCalled();
    await connectCrm(deps, pat(crm));
    expect(removed.mock.calls).toEqual([[{ origins: [`http://localhost:${port}/*`] }]]);
  });

  it.each([
    ['its own origin', () => `${crm}/*`],
    ['every port of its host (a development build)', () => `http://${new URL(crm).hostname}/*`],
  ])('is left alone when the manifest grants %s at install (Chrome refuses to remove it)', async (_, grant) => {
    granted = [grant()];
    await connectCrm(deps, pat(crm));
    await disconnectCrm(deps);
    expect(removed).not.toHaveBeenCalled();
  });
});
