import { Hono } from 'hono';
import { z } from 'zod';
import { composeContent } from '../core/compose';
import type { SeedAddress } from '../seed/types';
import { type GraphDeps, type GraphEnv, graphFail, openMailbox, SCOPES } from './graph-context';
import { newConversationId } from './ids';
import type { MailboxState, MailStore } from './mail-store';

const recipientSchema = z.object({ emailAddress: z.object({ address: z.string().min(3), name: z.string().optional() }) });
const sendMailSchema = z.object({
  message: z.object({
    subject: z.string().optional(),
    body: z.object({ contentType: z.enum(['text', 'html', 'Text', 'HTML', 'Html']), content: z.string() }).optional(),
    toRecipients: z.array(recipientSchema).optional(),
    ccRecipients: z.array(recipientSchema).optional(),
    bccRecipients: z.array(recipientSchema).optional(),
    replyTo: z.array(recipientSchema).optional(),
  }),
  // Graph also takes the string forms.
  saveToSentItems: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
});

const toSeed = (list: z.infer<typeof recipientSchema>[] | undefined): SeedAddress[] =>
  (list ?? []).map((r) => ({ name: r.emailAddress.name ?? null, address: r.emailAddress.address }));

/** Delivers a copy into the inbox of every seeded Outlook mailbox among the recipients. */
export function deliverToRecipients(
  store: MailStore,
  content: ReturnType<typeof composeContent>,
  recipients: SeedAddress[],
  bodyType: 'text' | 'html',
): string[] {
  const reached = new Set<MailboxState>();
  for (const recipient of recipients) {
    const state = store.mailboxByAddress(recipient.address);
    if (state) reached.add(state);
  }
  return [...reached].map((state) => store.add(state, { ...content, box: 'inbox', bcc: [], unread: true }, state.wellKnown.get('inbox')!, { isRead: false, bodyType }).id);
}

/** `POST /me/sendMail`: 202 with no body; a copy in Sent Items and in seeded recipients' inboxes. */
export function sendMailRoutes(deps: GraphDeps): Hono<GraphEnv> {
  const app = new Hono<GraphEnv>();
  app.post('/me/sendMail', async (c) => {
    const state = openMailbox(c, SCOPES.mailSend);
    if (state instanceof Response) return state;
    const raw: unknown = await c.req.json().catch(() => undefined);
    if (raw === undefined) return graphFail(c, 400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    const parsed = sendMailSchema.safeParse(raw);
    if (!parsed.success) return graphFail(c, 400, 'ErrorInvalidRequest', `The request payload is invalid: ${z.prettifyError(parsed.error)}`);
    const { message, saveToSentItems } = parsed.data;
    const to = toSeed(message.toRecipients);
    const cc = toSeed(message.ccRecipients);
    const bcc = toSeed(message.bccRecipients);
    if (to.length + cc.length + bcc.length === 0) return graphFail(c, 400, 'ErrorInvalidRecipients', 'At least one recipient is required, but none were found.');

    const bodyType = message.body?.contentType.toLowerCase() === 'html' ? 'html' : 'text';
    const mail = {
      from: { name: state.mailbox.displayName, address: state.mailbox.address },
      to,
      cc,
      bcc,
      replyTo: toSeed(message.replyTo),
      subject: message.subject ?? '',
      body: message.body?.content ?? '',
    };
    const sent = composeContent(mail, 'sent', Date.now(), newConversationId());
    if (saveToSentItems !== false && saveToSentItems !== 'false') deps.store.add(state, sent, state.wellKnown.get('sentitems')!, { isRead: true, bodyType });
    deliverToRecipients(deps.store, sent, [...to, ...cc, ...bcc], bodyType);
    return c.body(null, 202);
  });
  return app;
}
