import { Hono } from 'hono';
import { type GraphContext, type GraphEnv, graphFail, graphJson, origin, requireMailbox, requireScope, SCOPES } from './graph-context';
import { findFolder, type FolderState, lowerBound, type MailboxState, receivedKey } from './mail-store';
import { renderMessage, resolveSelect } from './message-json';
import { parseOrderBy, parseReceivedFilter, parseSelect, parseSkip, parseTop } from './odata';
import { appliedHeader, readPreferences } from './preferences';

function folderJson(state: MailboxState, folder: FolderState) {
  let unread = 0;
  for (const message of folder.byEntry) if (!message.isRead) unread++;
  return {
    id: folder.id,
    displayName: folder.displayName,
    parentFolderId: state.rootFolderId,
    childFolderCount: 0,
    unreadItemCount: unread,
    totalItemCount: folder.byEntry.length,
    isHidden: false,
  };
}

/** The session's mailbox and the folder named in the path, or the error answer. */
function mailboxAndFolder(c: GraphContext): { state: MailboxState; folder: FolderState } | Response {
  const denied = requireScope(c, SCOPES.mailRead);
  if (denied) return denied;
  const state = requireMailbox(c);
  if (state instanceof Response) return state;
  const found = findFolder(state, c.req.param('folder') ?? '');
  if (!found) return graphFail(c, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  return { state, folder: found };
}

const badRequest = (c: GraphContext, message: string) => graphFail(c, 400, 'BadRequest', message);

/** Builds a link with the query kept as Graph writes it (`$top=10&$skip=10`). */
function linkWith(c: GraphContext, changes: Record<string, string>): string {
  const url = new URL(c.req.url);
  const params = new Map([...url.searchParams.entries()]);
  for (const [key, value] of Object.entries(changes)) params.set(key, value);
  const query = [...params].map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  return `${url.origin}${url.pathname}?${query}`;
}

/** Mail folders by well-known name or id, their messages, and single messages. */
export function folderRoutes(): Hono<GraphEnv> {
  const app = new Hono<GraphEnv>();

  app.get('/me/mailFolders', (c) => {
    const denied = requireScope(c, SCOPES.mailRead);
    if (denied) return denied;
    const state = requireMailbox(c);
    if (state instanceof Response) return state;
    return graphJson(c, {
      '@odata.context': `${origin(c)}/v1.0/$metadata#users('${encodeURIComponent(state.mailbox.address)}')/mailFolders`,
      value: [...state.folders.values()].map((folder) => folderJson(state, folder)),
    });
  });

  app.get('/me/mailFolders/:folder', (c) => {
    const found = mailboxAndFolder(c);
    if (found instanceof Response) return found;
    return graphJson(c, {
      '@odata.context': `${origin(c)}/v1.0/$metadata#users('${encodeURIComponent(found.state.mailbox.address)}')/mailFolders/$entity`,
      ...folderJson(found.state, found.folder),
    });
  });

  app.get('/me/mailFolders/:folder/messages', (c) => {
    const found = mailboxAndFolder(c);
    if (found instanceof Response) return found;
    const { state, folder } = found;
    const select = parseSelect(c.req.query('$select'));
    const fields = resolveSelect(select);
    if ('unknown' in fields) return graphFail(c, 400, 'RequestBroker--ParseUri', `Could not find a property named '${fields.unknown}' on type 'microsoft.graph.message'.`);
    const top = parseTop(c.req.query('$top'));
    const skip = parseSkip(c.req.query('$skip'));
    const range = parseReceivedFilter(c.req.query('$filter'));
    const order = parseOrderBy(c.req.query('$orderby'));
    if (!top.ok) return badRequest(c, top.message);
    if (!skip.ok) return badRequest(c, skip.message);
    if (!range.ok) return badRequest(c, range.message);
    if (!order.ok) return badRequest(c, order.message);

    const list = folder.byReceived;
    const lo = range.value.from === null ? 0 : lowerBound(list, range.value.from, receivedKey);
    const hi = Math.max(lo, range.value.until === null ? list.length : lowerBound(list, range.value.until, receivedKey));
    const prefs = readPreferences(c);
    const options = { state, bodyType: prefs.bodyType };
    const value: Record<string, unknown>[] = [];
    for (let n = skip.value; n < skip.value + top.value && n < hi - lo; n++) {
      const message = order.value === 'desc' ? list[hi - 1 - n]! : list[lo + n]!;
      value.push(renderMessage(message, fields.fields, options));
    }
    const selectSuffix = select ? `(${fields.fields.join(',')})` : '';
    const body: Record<string, unknown> = {
      '@odata.context': `${origin(c)}/v1.0/$metadata#users('${encodeURIComponent(state.mailbox.address)}')/mailFolders('${c.req.param('folder')}')/messages${selectSuffix}`,
      value,
    };
    if (skip.value + top.value < hi - lo) body['@odata.nextLink'] = linkWith(c, { $top: String(top.value), $skip: String(skip.value + top.value) });
    return graphJson(c, body, 200, appliedHeader(prefs));
  });

  const getMessage = (c: GraphContext) => {
    const denied = requireScope(c, SCOPES.mailRead);
    if (denied) return denied;
    const state = requireMailbox(c);
    if (state instanceof Response) return state;
    const message = state.messages.get(c.req.param('id') ?? '');
    const folder = c.req.param('folder');
    const inFolder = !folder || (message && findFolder(state, folder)?.name === message.folder);
    if (!message || !inFolder) return graphFail(c, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    const select = parseSelect(c.req.query('$select'));
    const fields = resolveSelect(select);
    if ('unknown' in fields) return graphFail(c, 400, 'RequestBroker--ParseUri', `Could not find a property named '${fields.unknown}' on type 'microsoft.graph.message'.`);
    const prefs = readPreferences(c);
    const context = `${origin(c)}/v1.0/$metadata#users('${encodeURIComponent(state.mailbox.address)}')/messages${select ? `(${fields.fields.join(',')})` : ''}/$entity`;
    return graphJson(c, renderMessage(message, fields.fields, { state, bodyType: prefs.bodyType }, { '@odata.context': context }), 200, appliedHeader(prefs));
  };
  app.get('/me/messages/:id', getMessage);
  app.get('/me/mailFolders/:folder/messages/:id', getMessage);

  return app;
}
