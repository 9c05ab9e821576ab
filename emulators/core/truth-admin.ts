import { Hono } from 'hono';
import { z } from 'zod';
import { groundTruth } from '../seed/ground-truth';
import { findMailbox, type LiveMessage, policyPatchSchema, type ThreadMark, threadMarkSchema, threadRefSchema } from '../seed/policy';
import type { SeedContact } from '../seed/types';
import type { AppEnv, EmulatorContext } from './context';

const truthSelectSchema = z.object({ mailboxes: z.string().optional(), since: z.coerce.number().int().nonnegative().optional() });

/** Every message the mail services hold now. */
function* liveMessages(ctx: EmulatorContext): Iterable<LiveMessage> {
  for (const service of ctx.services) if (service.truth?.messages) yield* service.truth.messages();
}

/** Every CRM contact now. */
function* liveContacts(ctx: EmulatorContext): Iterable<SeedContact> {
  for (const service of ctx.services) if (service.truth?.contacts) yield* service.truth.contacts();
}

/**
 * `/__admin/ground-truth`, `/__admin/policy` and `/__admin/thread-marks`: what the product must do
 * with the mail as it is now, and the settings and user marks that decide it.
 */
export function truthAdmin(ctx: EmulatorContext): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();

  /** `?mailboxes=riley,support` (ids or addresses) and `?since=<ms>`: only those mailboxes' messages, from then on. */
  admin.get('/ground-truth', (c) => {
    const select = truthSelectSchema.safeParse({ mailboxes: c.req.query('mailboxes'), since: c.req.query('since') });
    if (!select.success) return c.json({ error: z.prettifyError(select.error) }, 400);
    const names = select.data.mailboxes?.split(',').filter((name) => name !== '');
    const mailboxIds = names?.map((name) => findMailbox(ctx.world.mailboxes, name)?.id ?? name);
    const unknown = mailboxIds?.filter((id) => !ctx.world.mailboxes.some((m) => m.id === id));
    if (unknown?.length) return c.json({ error: `No seeded mailbox ${unknown.join(', ')}` }, 404);
    return c.json(
      groundTruth({
        mailboxes: ctx.world.mailboxes,
        messages: liveMessages(ctx),
        contacts: liveContacts(ctx),
        policy: ctx.truth.policy,
        marks: ctx.truth.marks,
        select: { mailboxIds, since: select.data.since },
      }),
    );
  });

  admin.get('/policy', (c) => c.json(ctx.truth.policy));
  /** Changes any part of the policy; mailbox entries change only the fields given. */
  admin.put('/policy', async (c) => {
    const input = policyPatchSchema.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    try {
      ctx.truth.update(input.data);
    } catch (error) {
      if (error instanceof RangeError) return c.json({ error: error.message }, 404);
      throw error;
    }
    for (const service of ctx.services) service.truth?.applyPolicy?.(ctx.truth.policy);
    return c.json(ctx.truth.policy);
  });

  admin.get('/thread-marks', (c) => c.json(ctx.truth.marks.list()));
  /** Sets the mark of one thread: `dontSync`, linked `contactIds`, or neither (which clears it). */
  admin.put('/thread-marks', async (c) => {
    const input = threadMarkSchema.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const mailbox = findMailbox(ctx.world.mailboxes, input.data.mailbox);
    if (!mailbox) return c.json({ error: `No seeded mailbox ${input.data.mailbox}` }, 404);
    const known = new Set([...liveContacts(ctx)].map((contact) => contact.id));
    const unknown = input.data.contactIds.filter((id) => !known.has(id));
    if (unknown.length > 0) return c.json({ error: `No CRM contact ${unknown.join(', ')}` }, 400);
    const mark: ThreadMark = { mailboxId: mailbox.id, threadId: input.data.threadId, dontSync: input.data.dontSync, contactIds: input.data.contactIds };
    ctx.truth.marks.set(mark);
    return c.json(ctx.truth.marks.get(mark.mailboxId, mark.threadId) ?? { ...mark, contactIds: [] });
  });
  /** Clears the mark of one thread: `?mailbox=&threadId=`. */
  admin.delete('/thread-marks', (c) => {
    const input = threadRefSchema.safeParse({ mailbox: c.req.query('mailbox'), threadId: c.req.query('threadId') });
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const mailbox = findMailbox(ctx.world.mailboxes, input.data.mailbox);
    if (!mailbox) return c.json({ error: `No seeded mailbox ${input.data.mailbox}` }, 404);
    ctx.truth.marks.clear(mailbox.id, input.data.threadId);
    return c.body(null, 204);
  });

  return admin;
}
