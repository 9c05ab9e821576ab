import { Hono } from 'hono';
import { renderFolder, resolveFolderSelect } from './folder-json';
import { type GraphContext, type GraphEnv, graphFail, graphJson, openMailbox, origin, readSelect, SCOPES } from './graph-context';
import { MESSAGES } from './graph-errors';
import { childFolders, findFolder, type FolderState, lowerBound, type MailboxState, messageById, receivedKey } from './mail-store';
import { renderMessage, resolveSelect } from './message-json';
import { parseCount, parseOrderBy, parseReceivedFilter, parseSkip, parseTop } from './odata';
import { appliedHeader, readPreferences } from './preferences';

/** The session's mailbox and the folder named in the path, or the error answer. */
function mailboxAndFolder(c: GraphContext): { state: MailboxState; folder: FolderState } | Response {
  const state = openMailbox(c, SCOPES.mailRead);
  if (state instanceof Response) return state;
  const found = findFolder(state, c.req.param('folder') ?? '');
  if (!found) return graphFail(c, 404, 'ErrorItemNotFound', MESSAGES.notFound);
  return { state, folder: found };
}

/** The `@odata.context` suffix `$select` adds: `(a,b)`, or nothing without one. */
const selectSuffix = (selected: { select: string[] | null; fields: string[] }) => (selected.select ? `(${selected.fields.join(',')})` : '');

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

  /**
   * A page of the folders directly inside `parentId`, in the order they were made: `$top`
   * (default 10) and `$skip`, with an `@odata.nextLink` while more remain, as Graph pages
   * `mailFolders` and `childFolders`. Hidden folders are not emulated, so `includeHiddenFolders`
   * changes nothing.
   */
  const folderPage = (c: GraphContext, state: MailboxState, parentId: string, context: string) => {
    const selected = readSelect(c, 'mailFolder', resolveFolderSelect);
    if (selected instanceof Response) return selected;
    const top = parseTop(c.req.query('$top'));
    const skip = parseSkip(c.req.query('$skip'));
    if (!top.ok) return badRequest(c, top.message);
    if (!skip.ok) return badRequest(c, skip.message);
    const all = childFolders(state, parentId);
    const body: Record<string, unknown> = {
      '@odata.context': `${origin(c)}/v1.0/$metadata#users('${encodeURIComponent(state.mailbox.address)}')/${context}${selectSuffix(selected)}`,
      value: all.slice(skip.value, skip.value + top.value).map((folder) => renderFolder(state, folder, selected.fields)),
    };
    if (skip.value + top.value < all.length) body['@odata.nextLink'] = linkWith(c, { $top: String(top.value), $skip: String(skip.value + top.value) });
    return graphJson(c, body);
  };

  app.get('/me/mailFolders', (c) => {
    const state = openMailbox(c, SCOPES.mailRead);
    if (state instanceof Response) return state;
    return folderPage(c, state, state.rootFolderId, 'mailFolders');
  });

  app.get('/me/mailFolders/:folder/childFolders', (c) => {
    const found = mailboxAndFolder(c);
    if (found instanceof Response) return found;
    return folderPage(c, found.state, found.folder.id, `mailFolders('${found.folder.id}')/childFolders`);
  });

  app.get('/me/mailFolders/:folder', (c) => {
    const found = mailboxAndFolder(c);
    if (found instanceof Response) return found;
    const selected = readSelect(c, 'mailFolder', resolveFolderSelect);
    if (selected instanceof Response) return selected;
    return graphJson(c, {
      '@odata.context': `${origin(c)}/v1.0/$metadata#users('${encodeURIComponent(found.state.mailbox.address)}')/mailFolders${selectSuffix(selected)}/$entity`,
      ...renderFolder(found.state, found.folder, selected.fields),
    });
  });

  app.get('/me/mailFolders/:folder/messages', (c) => {
    const found = mailboxAndFolder(c);
    if (found instanceof Response) return found;
    const { state, folder } = found;
    const selected = readSelect(c, 'message', resolveSelect);
    if (selected instanceof Response) return selected;
    const top = parseTop(c.req.query('$top'));
    const skip = parseSkip(c.req.query('$skip'));
    const range = parseReceivedFilter(c.req.query('$filter'));
    const order = parseOrderBy(c.req.query('$orderby'));
    const count = parseCount(c.req.query('$count'));
    if (!top.ok) return badRequest(c, top.message);
    if (!skip.ok) return badRequest(c, skip.message);
    if (!range.ok) return badRequest(c, range.message);
    if (!order.ok) return badRequest(c, order.message);
    if (!count.ok) return badRequest(c, count.message);

    const list = folder.byReceived;
    const lo = range.value.from === null ? 0 : lowerBound(list, range.value.from, receivedKey);
    const hi = Math.max(lo, range.value.until === null ? list.length : lowerBound(list, range.value.until, receivedKey));
    const prefs = readPreferences(c);
    const options = { state, bodyType: prefs.bodyType, immutableIds: prefs.immutableIds };
    const value: Record<string, unknown>[] = [];
    for (let n = skip.value; n < skip.value + top.value && n < hi - lo; n++) {
      const message = order.value === 'desc' ? list[hi - 1 - n]! : list[lo + n]!;
      value.push(renderMessage(message, selected.fields, options));
    }
    const body: Record<string, unknown> = {
      '@odata.context': `${origin(c)}/v1.0/$metadata#users('${encodeURIComponent(state.mailbox.address)}')/mailFolders('${c.req.param('folder')}')/messages${selectSuffix(selected)}`,
      // Graph puts the count of the whole filtered list before the page's items.
      ...(count.value ? { '@odata.count': hi - lo } : {}),
      value,
    };
    if (skip.value + top.value < hi - lo) body['@odata.nextLink'] = linkWith(c, { $top: String(top.value), $skip: String(skip.value + top.value) });
    return graphJson(c, body, 200, appliedHeader(prefs));
  });

  const getMessage = (c: GraphContext) => {
    const state = openMailbox(c, SCOPES.mailRead);
    if (state instanceof Response) return state;
    const message = messageById(state, c.req.param('id') ?? '');
    const folder = c.req.param('folder');
    const inFolder = !folder || (message && findFolder(state, folder) === message.folder);
    if (!message || !inFolder) return graphFail(c, 404, 'ErrorItemNotFound', MESSAGES.notFound);
    const selected = readSelect(c, 'message', resolveSelect);
    if (selected instanceof Response) return selected;
    const prefs = readPreferences(c);
    const context = `${origin(c)}/v1.0/$metadata#users('${encodeURIComponent(state.mailbox.address)}')/messages${selectSuffix(selected)}/$entity`;
    return graphJson(c, renderMessage(message, selected.fields, { state, bodyType: prefs.bodyType, immutableIds: prefs.immutableIds }, { '@odata.context': context }), 200, appliedHeader(prefs));
  };
  app.get('/me/messages/:id', getMessage);
  app.get('/me/mailFolders/:folder/messages/:id', getMessage);

  return app;
}
