import { Hono } from 'hono';
import { z } from 'zod';
import { composeContent } from '../core/compose';
import type { AppEnv } from '../core/context';
import type { GmailDeps } from './gmail-context';
import { labelBit, labelIdsOf, maskOf, USER_LABEL_IDS } from './labels';
import type { GmailMessage, MailboxState } from './mail-store';
import { deliver } from './send';

const mailboxSchema = z.union([z.email().transform((address) => ({ name: null, address })), z.object({ name: z.string().nullable().default(null), address: z.email() })]);
const knownLabel = z.string().refine((id) => labelBit(id) !== undefined, { message: 'not a Gmail label id' });

const deliverSchema = z
  .object({
    from: mailboxSchema,
    to: z.union([mailboxSchema.transform((a) => [a]), z.array(mailboxSchema).min(1)]),
    cc: z.array(mailboxSchema).default([]),
    subject: z.string(),
    body: z.string(),
    /** The Message-ID this mail replies to: Gmail files it in the recipient's thread holding that message. */
    inReplyTo: z.string().min(3).optional(),
    /** More header fields, as a mailing tool adds them (`List-Unsubscribe`, `Precedence`, `Auto-Submitted`). */
    headers: z.array(z.tuple([z.string().regex(/^[!-9;-~]+$/, 'a header field name'), z.string().regex(/^[^\r\n]*$/, 'one line')])).max(20).default([]),
  })
  .strict();

const labelsSchema = z.object({ id: z.string(), add: z.array(knownLabel).default([]), remove: z.array(knownLabel).default([]) }).strict();
const deleteSchema = z.object({ id: z.string() }).strict();

/** The message with this id in any Gmail mailbox, with its mailbox. */
function findMessage(deps: GmailDeps, id: string): { state: MailboxState; message: GmailMessage } | undefined {
  for (const state of deps.store.all()) {
    const message = state.byId.get(id);
    if (message) return { state, message };
  }
  return undefined;
}

/**
 * `/__admin/google/…`: new mail arriving (`deliver`), label changes (`labels`: move to trash is
 * `add: ['TRASH']`, archive is `remove: ['INBOX']`) and deletion for good (`delete`), each with its
 * history record, so incremental sync has something to find.
 */
export function googleAdmin(deps: GmailDeps): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();

  /** Delivers to the seeded Gmail mailboxes among `to` and `cc`; answers the first new id. */
  admin.post('/deliver', async (c) => {
    const input = deliverSchema.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const { from, to, cc, subject, body, inReplyTo, headers } = input.data;
    const states = new Set([...to, ...cc].map((a) => deps.store.mailboxByAddress(a.address)).filter((s): s is MailboxState => s !== undefined));
    if (states.size === 0) return c.json({ error: 'No seeded Gmail mailbox among the recipients.' }, 404);
    // The thread id is the recipient's: deliver() picks it.
    const composed = composeContent({ from, to, cc, bcc: [], replyTo: [], subject, body }, 'inbox', Date.now(), '');
    const extra: [string, string][] = inReplyTo ? [...headers, ['In-Reply-To', inReplyTo]] : headers;
    const content = { ...composed, headers: [...composed.headers, ...extra] };
    const ids = [...states].map((state) => deliver(deps.store, state, content, inReplyTo ? [inReplyTo] : []).id);
    return c.json({ id: ids[0], ids });
  });

  /** Adds and removes labels on a message of any Gmail mailbox. */
  admin.post('/labels', async (c) => {
    const input = labelsSchema.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const { id, add, remove } = input.data;
    const found = findMessage(deps, id);
    if (!found) return c.json({ error: `No message ${id}` }, 404);
    const foreign = [...add, ...remove].find((label) => USER_LABEL_IDS.includes(label) && !found.state.userLabels.has(label));
    if (foreign) return c.json({ error: `The mailbox has no label ${foreign}` }, 400);
    deps.store.relabel(found.state, found.message, maskOf(add), maskOf(remove));
    return c.json({ id, labelIds: labelIdsOf(found.message.mask), historyId: String(found.message.historyId) });
  });

  /** Makes a user label in a mailbox (`users.labels.create`); answers its id (`Label_<n>`). */
  admin.post('/labels/create', async (c) => {
    const input = z.object({ mailbox: z.string().min(3), name: z.string().trim().min(1).max(225) }).strict().safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const state = deps.store.mailboxByAddress(input.data.mailbox);
    if (!state) return c.json({ error: `No seeded Gmail mailbox ${input.data.mailbox}` }, 404);
    const id = deps.store.createLabel(state, input.data.name);
    if (id === 'exists') return c.json({ error: `Label name exists or conflicts: ${input.data.name}` }, 409);
    if (id === 'full') return c.json({ error: 'The emulator holds no more user labels in this world.' }, 400);
    return c.json({ id, name: input.data.name });
  });

  /** Deletes a message for good (`users.messages.delete`), with a messagesDeleted record. */
  admin.post('/delete', async (c) => {
    const input = deleteSchema.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const found = findMessage(deps, input.data.id);
    if (!found) return c.json({ error: `No message ${input.data.id}` }, 404);
    deps.store.delete(found.state, found.message);
    return c.json({ id: input.data.id, historyId: String(found.message.historyId) });
  });

  return admin;
}
