import { Hono } from 'hono';
import { decodeToken, deltaPage, type DeltaToken, encodeToken, generation, initialToken } from './delta';
import { type GraphDeps, type GraphEnv, graphFail, graphJson, openMailbox, origin, readSelect, SCOPES } from './graph-context';
import { MESSAGES } from './graph-errors';
import { findFolder } from './mail-store';
import { renderMessage, resolveSelect } from './message-json';
import { parseReceivedFilter } from './odata';
import { appliedHeader, readPreferences } from './preferences';

/** Graph's page size for message delta when no `odata.maxpagesize` is asked for. */
const DEFAULT_PAGE_SIZE = 10;
const MESSAGE_TYPE = '#microsoft.graph.message';

/** `GET /me/mailFolders/{folder}/messages/delta`: rounds of pages ending in a delta link. */
export function deltaRoutes(deps: GraphDeps): Hono<GraphEnv> {
  const app = new Hono<GraphEnv>();

  app.get('/me/mailFolders/:folder/messages/delta', (c) => {
    const state = openMailbox(c, SCOPES.mailRead);
    if (state instanceof Response) return state;
    const gone = () => graphFail(c, 410, 'SyncStateNotFound', MESSAGES.syncState);

    const skipToken = c.req.query('$skiptoken');
    const deltaToken = c.req.query('$deltatoken');
    let token: DeltaToken;
    if (skipToken !== undefined || deltaToken !== undefined) {
      const decoded = decodeToken(skipToken ?? deltaToken ?? '');
      // Tokens of another mailbox, an older generation (expired) or an earlier world are unknown.
      if (!decoded || decoded.m !== state.mailbox.id || decoded.g !== generation(deps.store, state)) return gone();
      if (deltaToken !== undefined && skipToken === undefined && decoded.p !== 'c') return gone();
      // The token is good but its folder was deleted since: the folder is not found.
      if (!state.folders.has(decoded.f)) return graphFail(c, 404, 'ErrorItemNotFound', MESSAGES.notFound);
      token = decoded;
    } else {
      const folder = findFolder(state, c.req.param('folder'));
      if (!folder) return graphFail(c, 404, 'ErrorItemNotFound', MESSAGES.notFound);
      const selected = readSelect(c, 'message', resolveSelect);
      if (selected instanceof Response) return selected;
      // Message delta takes only a lower bound on receivedDateTime, for a bounded first sync.
      const range = parseReceivedFilter(c.req.query('$filter'));
      if (!range.ok || range.value.until !== null) {
        return graphFail(c, 400, 'BadRequest', range.ok ? 'Delta on messages only supports receivedDateTime ge or gt in $filter.' : range.message);
      }
      token = initialToken(deps.store, state, folder.id, selected.select, range.value.from);
    }

    const folder = state.folders.get(token.f)!;
    const fields = resolveSelect(token.sel);
    if ('unknown' in fields) return gone();
    const prefs = readPreferences(c);
    const page = deltaPage(state, folder, token, prefs.maxPageSize ?? DEFAULT_PAGE_SIZE);
    const options = { state, bodyType: prefs.bodyType, immutableIds: prefs.immutableIds };
    const link = `${origin(c)}/v1.0/me/mailFolders/${folder.wellKnown ?? folder.id}/messages/delta`;
    const body: Record<string, unknown> = {
      '@odata.context': `${origin(c)}/v1.0/$metadata#Collection(message)`,
      value: page.items.map((item) =>
        'message' in item
          ? renderMessage(item.message, fields.fields, options, { '@odata.type': MESSAGE_TYPE })
          : // Graph says "deleted" both for a message deleted and for one moved out of the folder
            // (message: delta, "Delta queries for messages can return change events that don't
            // match the filter"), so a client cannot tell a move from the reason.
            { '@odata.type': MESSAGE_TYPE, id: prefs.immutableIds ? item.removed.id : item.removed.restId, '@removed': { reason: 'deleted' } },
      ),
    };
    if (page.next) body['@odata.nextLink'] = `${link}?$skiptoken=${encodeToken(page.next)}`;
    if (page.delta) body['@odata.deltaLink'] = `${link}?$deltatoken=${encodeToken(page.delta)}`;
    return graphJson(c, body, 200, appliedHeader(prefs));
  });

  return app;
}
