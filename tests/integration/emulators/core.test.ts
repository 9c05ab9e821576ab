import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';

let emulators: RunningEmulators;
const admin = (path: string, init?: RequestInit) => fetch(`${emulators.urls.crm}/__admin${path}`, init);
const post = (path: string, body: unknown) => admin(path, { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 7 });
});
afterAll(() => emulators.stop());

describe('emulator core', () => {
  it('serves the three peers on 127.0.0.1 with health checks', async () => {
    for (const [name, url] of Object.entries(emulators.urls)) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${url}/__admin/health`)).json()).toEqual({ ok: true, service: name });
    }
  });

  it('injects a fault for exactly `count` matching requests, in the peer shape, with Retry-After', async () => {
    await post('/faults', { service: 'google', method: 'GET', path: '^/fault-probe$', status: 429, retryAfter: 7, count: 2 });
    const first = await fetch(`${emulators.urls.google}/fault-probe`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect((await fetch(`${emulators.urls.google}/fault-probe`)).status).toBe(429);
    // The third request is past the count; another service or method never matched.
    expect((await fetch(`${emulators.urls.google}/fault-probe`)).status).not.toBe(429);
  });

  it('drops the connection without an answer', async () => {
    await post('/faults', { service: 'microsoft', path: '^/drop-probe$', drop: true });
    await expect(fetch(`${emulators.urls.microsoft}/drop-probe`)).rejects.toThrow();
  });

  it('answers malformed JSON and delays on request', async () => {
    await post('/faults', [
      { service: 'crm', path: '^/raw-probe$', rawBody: '{"data": [' },
      { service: 'crm', path: '^/slow-probe$', delayMs: 300 },
    ]);
    const raw = await fetch(`${emulators.urls.crm}/raw-probe`);
    expect(raw.status).toBe(200);
    await expect(raw.json()).rejects.toThrow();
    const t0 = performance.now();
    await fetch(`${emulators.urls.crm}/slow-probe`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('refuses an invalid fault with a readable error', async () => {
    const response = await post('/faults', { service: 'yahoo', path: 'x' });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/service/);
  });

  it('reads back the requests each peer served, with the fault that answered', async () => {
    const log = (await (await admin('/requests?service=google&path=fault-probe')).json()) as { status: number; faultId: number | null }[];
    expect(log.map((entry) => entry.status).slice(0, 2)).toEqual([429, 429]);
    expect(log[0]!.faultId).not.toBeNull();
    expect(log[2]!.faultId).toBeNull();
  });

  it('reseeds on reset, deterministically, and rejects unknown scenarios', async () => {
    const before = await (await admin('/ground-truth')).text();
    const reset = await post('/reset', { seed: 8, size: 120 });
    expect((await reset.json()).messages).toBe(120);
    await post('/reset', { seed: 7, size: 'demo', now: emulators.context.world.options.now });
    expect(await (await admin('/ground-truth')).text()).toBe(before);
    expect((await post('/reset', { scenario: 'nope' })).status).toBe(400);
  });

  it('applies a scenario preset to the config', async () => {
    await post('/reset', { scenario: 'consent-denied' });
    expect((await (await admin('/config')).json()).consent).toBe('deny');
    await admin('/config', { method: 'PUT', body: JSON.stringify({ consent: 'allow' }) });
    expect(emulators.context.config.consent).toBe('allow');
  });
});
