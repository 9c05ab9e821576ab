import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { crmConnectionItem, ensureAlarm, onAlarm, readCrmConnection } from '@/lib/platform';

beforeEach(() => fakeBrowser.reset());

describe('ensureAlarm', () => {
  it('creates the alarm once and keeps its due time on later starts', async () => {
    await ensureAlarm('periodic-sync', 15);
    const first = await fakeBrowser.alarms.get('periodic-sync');
    expect(first?.periodInMinutes).toBe(15);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await ensureAlarm('periodic-sync', 15);
    expect((await fakeBrowser.alarms.get('periodic-sync'))?.scheduledTime).toBe(first?.scheduledTime);
  });

  it('replaces the alarm when the period changes', async () => {
    await ensureAlarm('periodic-sync', 15);
    await ensureAlarm('periodic-sync', 5);
    expect((await fakeBrowser.alarms.get('periodic-sync'))?.periodInMinutes).toBe(5);
  });

  it('calls only the listener of the alarm that fired', async () => {
    const fired: string[] = [];
    const stop = onAlarm('periodic-sync', () => fired.push('sync'));
    await fakeBrowser.alarms.onAlarm.trigger({ name: 'other', scheduledTime: 0 });
    await fakeBrowser.alarms.onAlarm.trigger({ name: 'periodic-sync', scheduledTime: 0 });
    stop();
    await fakeBrowser.alarms.onAlarm.trigger({ name: 'periodic-sync', scheduledTime: 0 });
    expect(fired).toEqual(['sync']);
  });
});

describe('crm connection setting', () => {
  it('is null until set, then reads back validated', async () => {
    expect(await readCrmConnection()).toBeNull();
    await crmConnectionItem.setValue({ baseUrl: 'https://crm.example.test', authMethod: 'oauth' });
    expect(await readCrmConnection()).toEqual({ baseUrl: 'https://crm.example.test', authMethod: 'oauth' });
  });

  it('reports a stored value of the wrong shape instead of hiding it', async () => {
    await fakeBrowser.storage.local.set({ crmConnection: { baseUrl: 'not a url', authMethod: 'oauth' } });
    await expect(readCrmConnection()).rejects.toThrow(/url/i);
  });
});
