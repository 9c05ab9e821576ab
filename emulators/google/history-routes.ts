import { Hono } from 'hono';
import { partitionPoint } from '../core/partition';
import { type GmailDeps, type GmailEnv, gmailFail, gmailJson, gmailOperation } from './gmail-context';
import { labelBit, labelIdsOf } from './labels';
import type { HistoryRecord, MailboxState } from './mail-store';
import { OPERATIONS } from './operations';
import { maxResults } from './params';

/** `historyTypes` values and the record kinds they select. */
const HISTORY_TYPES: Record<string, HistoryRecord['kind']> = {
  messageAdded: 'messagesAdded',
  messageDeleted: 'messagesDeleted',
  labelAdded: 'labelsAdded',
  labelRemoved: 'labelsRemoved',
};

/**
 * One record as Gmail writes it: the messages it touched, then the change. A deleted message is
 * named by its ids alone: it has no labels any more.
 */
function recordJson(record: HistoryRecord) {
  const { message } = record;
  const ref = { id: message.id, threadId: message.threadId };
  const withLabels = { ...ref, labelIds: labelIdsOf(message.mask) };
  const change =
    record.kind === 'messagesDeleted'
      ? { message: ref }
      : record.kind === 'messagesAdded'
        ? { message: withLabels }
        : { message: withLabels, labelIds: record.labelIds ?? [] };
  return { id: String(record.id), messages: [ref], [record.kind]: [change] };
}

const parseHistoryId = (raw: string | undefined) => (raw && /^\d{1,19}$/.test(raw) ? Number(raw) : null);

/**
 * `users.history.list`: the changes after `startHistoryId`, oldest first. A start id older than
 * the retained history (about a week, or everything after `expire history`) answers 404, which
 * tells the client to do a full sync (R14).
 */
export function historyRoutes(deps: GmailDeps): Hono<GmailEnv> {
  const app = new Hono<GmailEnv>();

  app.get('/users/:userId/history', gmailOperation(deps, OPERATIONS.historyList), (c) => {
    const rawStart = c.req.query('startHistoryId');
    if (rawStart === undefined) return gmailFail(c, 400, 'invalidArgument', 'Missing required field: startHistoryId');
    const start = parseHistoryId(rawStart);
    if (start === null) return gmailFail(c, 400, 'invalidArgument', `Invalid value at 'start_history_id' (TYPE_UINT64), "${rawStart}"`);
    const max = maxResults(c, 100, 500);
    if (max instanceof Response) return max;
    const types = c.req.queries('historyTypes') ?? [];
    const unknown = types.find((t) => !(t in HISTORY_TYPES));
    if (unknown) return gmailFail(c, 400, 'invalidArgument', `Invalid value at 'history_types' (type.googleapis.com/gmail.HistoryType), "${unknown}"`);
    const kinds = types.length ? new Set(types.map((t) => HISTORY_TYPES[t])) : null;
    const labelId = c.req.query('labelId');
    const bit = labelId === undefined ? 0 : labelBit(labelId);

    const state: MailboxState = c.get('session').state;
    if (start < state.oldestStart) return gmailFail(c, 404, 'notFound');
    const token = c.req.query('pageToken');
    const after = token ? parseHistoryId(token) : start;
    if (after === null) return gmailFail(c, 400, 'invalidArgument', 'Invalid pageToken');

    const history: ReturnType<typeof recordJson>[] = [];
    let next: number | null = null;
    const from = Math.max(after, start);
    for (let i = partitionPoint(state.history, (r) => r.id <= from); i < state.history.length; i++) {
      const record = state.history[i]!;
      if (kinds && !kinds.has(record.kind)) continue;
      if (labelId !== undefined && (bit === undefined || !(record.message.mask & bit))) continue;
      if (history.length === max) {
        next = Number(history[history.length - 1]!.id);
        break;
      }
      history.push(recordJson(record));
    }
    return gmailJson(c, {
      ...(history.length ? { history } : {}),
      ...(next !== null ? { nextPageToken: String(next) } : {}),
      historyId: String(state.historyId),
    });
  });

  return app;
}
