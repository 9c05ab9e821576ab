import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWorld, serializeWorld } from '@/emulators/seed/generate';
import { groundTruth } from '@/emulators/seed/ground-truth';
import { worldTruthInput } from '../../support/world-truth';

const NOW = Date.UTC(2026, 10, 24);
const hash = (text: string) => createHash('sha256').update(text).digest('hex');

describe('generateWorld', () => {
  it('is deterministic: the same seed, size and time give the same bytes', () => {
    const first = serializeWorld(generateWorld({ seed: 7, size: 'demo', now: NOW }));
    const second = serializeWorld(generateWorld({ seed: 7, size: 'demo', now: NOW }));
    expect(hash(second)).toBe(hash(first));
    expect(hash(serializeWorld(generateWorld({ seed: 8, size: 'demo', now: NOW })))).not.toBe(hash(first));
  });

  it('makes the demo size with unique ids, dated inside the 400-day window', () => {
    const world = generateWorld({ seed: 7, size: 'demo', now: NOW });
    expect(world.messages).toHaveLength(500);
    expect(new Set(world.messages.map((m) => `${m.mailboxId}/${m.providerId}`)).size).toBe(500);
    for (const m of world.messages) {
      expect(m.internalDate).toBeLessThan(NOW);
      expect(m.internalDate).toBeGreaterThan(NOW - 401 * 86_400_000);
    }
    expect(world.messages.filter((m) => /^[0-9a-f]{16}$/.test(m.providerId)).length).toBe(
      world.messages.filter((m) => world.mailboxes.find((b) => b.id === m.mailboxId)?.provider === 'gmail').length,
    );
  });

  it('contains every case the product must handle (issue 3, item 5)', () => {
    const world = generateWorld({ seed: 7, size: '10k', now: NOW });
    const headerValues = world.messages.flatMap((m) => m.headers.map(([, v]) => v));
    const kinds = new Set(world.messages.map((m) => m.kind));
    for (const kind of ['customer', 'newsletter', 'personal', 'internal', 'notification', 'promotion', 'social', 'forum', 'spam', 'chat', 'malformed']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(new Set(world.messages.map((m) => m.box))).toEqual(new Set(['inbox', 'sent', 'spam', 'trash', 'draft', 'chat']));
    expect(world.contacts.some((c) => c.additionalEmails.length > 0)).toBe(true);
    expect(headerValues.some((v) => v.includes('=?UTF-8?B?'))).toBe(true);
    expect(headerValues.some((v) => v.includes('=?ISO-8859-1?Q?'))).toBe(true);
    expect(headerValues.some((v) => /\+[a-z]+@/.test(v))).toBe(true);
    expect(headerValues.some((v) => /@googlemail\.com/.test(v))).toBe(true);
    expect(world.messages.some((m) => m.messageId === null)).toBe(true);
    const byMessageId = new Map<string, Set<string>>();
    for (const m of world.messages) if (m.messageId) byMessageId.set(m.messageId, (byMessageId.get(m.messageId) ?? new Set()).add(m.mailboxId));
    expect([...byMessageId.values()].some((boxes) => boxes.size === 2)).toBe(true);
    const thread = new Map<string, number>();
    for (const m of world.messages) thread.set(`${m.mailboxId}/${m.threadId}`, (thread.get(`${m.mailboxId}/${m.threadId}`) ?? 0) + 1);
    expect(Math.max(...thread.values())).toBeGreaterThanOrEqual(10);
    expect(Math.max(...thread.values())).toBeLessThanOrEqual(12);
    // Every skip reason of the ground truth occurs, and so do pushes.
    const reasons = new Set(groundTruth(worldTruthInput(world)).verdicts.map((v) => v.reason));
    expect(reasons).toEqual(new Set([null, 'excluded_folder', 'excluded_category', 'bulk', 'blocked', 'internal_only', 'personal_scope', 'no_contact']));
  });
});
