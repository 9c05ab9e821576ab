import { Hono } from 'hono';
import { z } from 'zod';
import { type GmailContext, type GmailDeps, type GmailEnv, gmailFail, gmailJson, gmailOperation } from './gmail-context';
import { labelIdsOf } from './labels';
import { listJson, listPage } from './listing';
import { FORMATS, messageJson } from './message-json';
import { boundaryOf, parseMultipart } from './multipart';
import { OPERATIONS } from './operations';
import { getParams, listParams } from './params';
import { sendRaw } from './send';

const sendSchema = z.object({ raw: z.string().min(1), threadId: z.string().optional() });
const RAW_REQUIRED = "'raw' RFC822 payload message string or uploading message via /upload/* URL required";

/**
 * `users.messages` under `/gmail/v1`: list, get and send; and send's media upload under
 * `/upload/gmail/v1` (uploadType=media: the message itself; multipart: JSON metadata, then the
 * message).
 */
export function messageRoutes(deps: GmailDeps): { api: Hono<GmailEnv>; upload: Hono<GmailEnv> } {
  const app = new Hono<GmailEnv>();

  app.get('/users/:userId/messages', gmailOperation(deps, OPERATIONS.messagesList), (c) => {
    const params = listParams(c);
    if (params instanceof Response) return params;
    const page = listPage(c.get('session').state, params.filter, params.cursor, params.max, false);
    return gmailJson(c, listJson('messages', page.items.map((m) => ({ id: m.id, threadId: m.threadId })), page));
  });

  app.get('/users/:userId/messages/:id', gmailOperation(deps, OPERATIONS.messagesGet), (c) => {
    const params = getParams(c, FORMATS, 'full');
    if (params instanceof Response) return params;
    const message = c.get('session').state.byId.get(params.id);
    if (!message) return gmailFail(c, 404, 'notFound');
    return gmailJson(c, messageJson(message, params.format, c.req.queries('metadataHeaders')));
  });

  const send = async (c: GmailContext, raw: string | Uint8Array, threadId?: string) => {
    const result = await sendRaw(deps.store, c.get('session').state, raw, threadId);
    if (!result.ok) return gmailFail(c, 400, 'invalidArgument', result.message);
    const { message } = result;
    return gmailJson(c, { id: message.id, threadId: message.threadId, labelIds: labelIdsOf(message.mask) });
  };

  app.post('/users/:userId/messages/send', gmailOperation(deps, OPERATIONS.messagesSend), async (c) => {
    const parsed = sendSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return gmailFail(c, 400, 'invalidArgument', RAW_REQUIRED);
    return send(c, Buffer.from(parsed.data.raw, 'base64url'), parsed.data.threadId);
  });

  const upload = new Hono<GmailEnv>();
  upload.post('/users/:userId/messages/send', gmailOperation(deps, OPERATIONS.messagesSend), async (c) => {
    const uploadType = c.req.query('uploadType');
    if (uploadType === 'media') return send(c, new Uint8Array(await c.req.arrayBuffer()));
    if (uploadType !== 'multipart') return gmailFail(c, 400, 'badRequest', `Invalid upload type: ${uploadType ?? '(none)'}`);
    const boundary = boundaryOf(c.req.header('content-type'));
    const [metadata, media] = boundary ? parseMultipart(await c.req.text(), boundary) : [];
    if (!metadata || !media) return gmailFail(c, 400, 'badRequest', 'Multipart upload needs a metadata part and a media part');
    const json = await Promise.resolve(metadata.body || '{}').then(JSON.parse).catch(() => null);
    const fields = z.object({ threadId: z.string().optional() }).safeParse(json);
    if (!fields.success) return gmailFail(c, 400, 'badRequest', 'Invalid JSON payload received.');
    return send(c, media.body, fields.data.threadId);
  });

  return { api: app, upload };
}
