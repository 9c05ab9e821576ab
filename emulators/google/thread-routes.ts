import { Hono } from 'hono';
import { type GmailDeps, type GmailEnv, gmailFail, gmailJson, gmailOperation } from './gmail-context';
import { listJson, listPage } from './listing';
import type { GmailMessage } from './mail-store';
import { messageJson, type MessageFormat, snippetOf } from './message-json';
import { OPERATIONS } from './operations';
import { getParams, listParams } from './params';

const THREAD_FORMATS: readonly MessageFormat[] = ['minimal', 'metadata', 'full'];

/** A thread's history id is the newest history id among its messages. */
const threadHistoryId = (messages: GmailMessage[]) => String(Math.max(...messages.map((m) => m.historyId)));

/** `users.threads`: list (a thread sits at its newest matching message) and get. */
export function threadRoutes(deps: GmailDeps): Hono<GmailEnv> {
  const app = new Hono<GmailEnv>();

  app.get('/users/:userId/threads', gmailOperation(deps, OPERATIONS.threadsList), (c) => {
    const params = listParams(c);
    if (params instanceof Response) return params;
    const { state } = c.get('session');
    const page = listPage(state, params.filter, params.cursor, params.max, true);
    const threads = page.items.map((head) => ({ id: head.threadId, snippet: snippetOf(head), historyId: threadHistoryId(state.threads.get(head.threadId) ?? [head]) }));
    return gmailJson(c, listJson('threads', threads, page));
  });

  app.get('/users/:userId/threads/:id', gmailOperation(deps, OPERATIONS.threadsGet), (c) => {
    const params = getParams(c, THREAD_FORMATS, 'full');
    if (params instanceof Response) return params;
    const messages = c.get('session').state.threads.get(params.id);
    if (!messages?.length) return gmailFail(c, 404, 'notFound');
    const headers = c.req.queries('metadataHeaders');
    return gmailJson(c, { id: params.id, historyId: threadHistoryId(messages), messages: messages.map((m) => messageJson(m, params.format, headers)) });
  });

  return app;
}
