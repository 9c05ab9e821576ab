import { Hono } from 'hono';
import { z } from 'zod';
import { composeContent } from '../core/compose';
import type { AppEnv } from '../core/context';
import type { GraphDeps } from './graph-context';
import { newConversationId } from './ids';
import { findFolder, type FolderState, type MailboxState } from './mail-store';
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
    /** A well-known name or a folder id. */
    folder: z.string().min(1).optional(),
  })
  .strict();

const folderCreateSchema = z
  .object({
    /** The mailbox's address (or an alias). */
    mailbox: z.string().min(3),
    displayName: z.string().trim().min(1).max(255),
    /** A well-known name or a folder id; the root when left out. */
    parent: z.string().min(1).optional(),
  })
  .strict();

/** The folder a well-known name or an id names, in the mailbox of the address. */
function folderIn(deps: GraphDeps, address: string, nameOrId: string): { state: MailboxState; folder: FolderState } | string {
  const state = deps.store.mailboxByAddress(address);
  if (!state) return `No seeded Outlook mailbox ${address}`;
  const folder = findFolder(state, nameOrId);
  return folder ? { state, folder } : `No folder ${nameOrId} in ${address}`;
}

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
    const reached = [...new Set([...to, ...cc].map((a) => deps.store.mailboxByAddress(a.address)).filter((s) => s !== undefined))];
    if (reached.length === 0) return c.json({ error: 'No seeded Outlook mailbox among the recipients.' }, 404);
    // A folder id names a folder of one mailbox only; a well-known name one in each.
    const targets = reached.map((state) => ({ state, target: findFolder(state, folder) }));
    const missing = targets.find((t) => !t.target);
    if (missing) return c.json({ error: `No folder ${folder} in ${missing.state.mailbox.address}` }, 404);
    const ids =
      folder === 'inbox'
        ? deliverToRecipients(deps.store, content, [...to, ...cc], 'text')
        : targets.map(({ state, target }) => deps.store.add(state, content, target!, { isRead: false, bodyType: 'text' }).id);
    return c.json({ id: ids[0], ids });
  });

  admin.post('/move', async (c) => {
    const input = z.object({ id: z.string(), folder: z.string().min(1) }).strict().safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const found = deps.store.findMessage(input.data.id);
    if (!found) return c.json({ error: `No message ${input.data.id}` }, 404);
    const target = findFolder(found.state, input.data.folder);
    if (!target) return c.json({ error: `No folder ${input.data.folder}` }, 404);
    deps.store.move(found.state, found.message, target);
    return c.json({ id: found.message.id, folder: input.data.folder });
  });

  /** Makes a user folder (at the root, or in `parent`), as Outlook's "New folder" does; answers its id. */
  admin.post('/folders', async (c) => {
    const input = folderCreateSchema.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const { mailbox, displayName, parent } = input.data;
    const state = deps.store.mailboxByAddress(mailbox);
    if (!state) return c.json({ error: `No seeded Outlook mailbox ${mailbox}` }, 404);
    const inside = parent === undefined ? state.rootFolderId : findFolder(state, parent)?.id;
    if (inside === undefined) return c.json({ error: `No folder ${parent}` }, 404);
    const folder = deps.store.createFolder(state, displayName, inside);
    if (!folder) return c.json({ error: `A folder named ${displayName} exists there already.` }, 409);
    return c.json({ id: folder.id, displayName: folder.displayName, parentFolderId: folder.parentId });
  });

  /** Moves a user folder into another (`deleteditems` is Outlook's "delete folder"). */
  admin.post('/folders/move', async (c) => {
    const input = z.object({ mailbox: z.string().min(3), id: z.string().min(1), parent: z.string().min(1) }).strict().safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const found = folderIn(deps, input.data.mailbox, input.data.id);
    const parent = folderIn(deps, input.data.mailbox, input.data.parent);
    if (typeof found === 'string') return c.json({ error: found }, 404);
    if (typeof parent === 'string') return c.json({ error: parent }, 404);
    if (found.folder.wellKnown !== null) return c.json({ error: 'A well-known folder cannot be moved.' }, 400);
    if (!deps.store.moveFolder(found.state, found.folder, parent.folder.id)) return c.json({ error: 'A folder cannot move into itself.' }, 400);
    return c.json({ id: found.folder.id, parentFolderId: parent.folder.id });
  });

  /** Purges a user folder, its child folders and their mail for good (emptied from Deleted Items). */
  admin.post('/folders/purge', async (c) => {
    const input = z.object({ mailbox: z.string().min(3), id: z.string().min(1) }).strict().safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const found = folderIn(deps, input.data.mailbox, input.data.id);
    if (typeof found === 'string') return c.json({ error: found }, 404);
    if (found.folder.wellKnown !== null) return c.json({ error: 'A well-known folder cannot be purged.' }, 400);
    deps.store.purgeFolder(found.state, found.folder);
    return c.json({ id: found.folder.id });
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
