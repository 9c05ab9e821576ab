import { Hono } from 'hono';
import { z } from 'zod';
import { composeContent } from '../core/compose';
import type { AppEnv } from '../core/context';
import type { GraphDeps } from './graph-context';
import { FOLDER_NAMES, newConversationId } from './ids';
import { deliverToRecipients } from './send-mail';

const addressSchema = z.union([z.string().min(3).transform((address) => ({ name: null, address })), z.object({ name: z.string().nullable().default(null), address: z.string().min(3) })]);
const addressListSchema = z.union([addressSchema.transform((a) => [a]), z.array(addressSchema)]);

const deliverSchema = z
  .object({
    to: addressListSchema,
    from: addressSchema,
    subject: z.string(),
    body: z.string(),
    cc: addressListSchema.optional(),
    folder: z.enum(FOLDER_NAMES).optional(),
  })
  .strict();

/**
 * `/__admin/microsoft/…`: deliver, move and delete mail (so delta has something to report), force silent
 * sign-in to fail, and slow Graph down so concurrency limits can be reached.
 */
export function microsoftAdmin(deps: GraphDeps): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();

  admin.post('/silent', async (c) => {
    const input = z.object({ allow: z.boolean() }).strict().safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    deps.identity.silentAllowed = input.data.allow;
    return c.json({ allow: deps.identity.silentAllowed });
  });

  admin.post('/latency', async (c) => {
    const input = z.object({ ms: z.number().int().nonnegative().max(60_000) }).strict().safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    deps.latency.ms = input.data.ms;
    return c.json({ ms: deps.latency.ms });
  });

  /** Delivers a new message to the seeded Outlook mailboxes among `to` and `cc`; answers the first id. */
  admin.post('/deliver', async (c) => {
    const input = deliverSchema.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const { to, from, subject, body, cc = [], folder = 'inbox' } = input.data;
    const content = composeContent({ from, to, cc, bcc: [], replyTo: [], subject, body }, 'inbox', Date.now(), newConversationId());
    const ids =
      folder === 'inbox'
        ? deliverToRecipients(deps.store, content, [...to, ...cc], 'text')
        : [...new Set([...to, ...cc].map((a) => deps.store.mailboxByAddress(a.address)).filter((s) => s !== undefined))].map(
            (state) => deps.store.add(state, content, folder, { isRead: false, bodyType: 'text' }).id,
          );
    if (ids.length === 0) return c.json({ error: 'No seeded Outlook mailbox among the recipients.' }, 404);
    return c.json({ id: ids[0], ids });
  });

  admin.post('/move', async (c) => {
    const input = z.object({ id: z.string(), folder: z.enum(FOLDER_NAMES) }).strict().safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const found = deps.store.findMessage(input.data.id);
    if (!found) return c.json({ error: `No message ${input.data.id}` }, 404);
    deps.store.move(found.state, found.message, input.data.folder);
    return c.json({ id: found.message.id, folder: input.data.folder });
  });

  /** Deletes a message for good, as a purge (or a shift+delete) does: it is gone from every folder. */
  admin.post('/delete', async (c) => {
    const input = z.object({ id: z.string() }).strict().safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const found = deps.store.findMessage(input.data.id);
    if (!found) return c.json({ error: `No message ${input.data.id}` }, 404);
    deps.store.delete(found.state, found.message);
    return c.json({ id: found.message.id });
  });

  return admin;
}
