import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { AppEnv, EmulatorContext } from '../core/context';
import { graphError, MESSAGES } from './graph-errors';
import type { Identity } from './identity';
import type { MailboxState, MailStore } from './mail-store';
import { parseSelect } from './odata';
import type { GraphThrottle } from './throttle';

/** What the Graph routes share. */
export interface GraphDeps {
  ctx: EmulatorContext;
  store: MailStore;
  identity: Identity;
  throttle: GraphThrottle;
  /** Extra time every admitted Graph request takes, so concurrency limits can be exercised. */
  latency: { ms: number };
  /** Runs a request through the service app (for `$batch` parts). */
  dispatch(request: Request, env: HttpBindings): Promise<Response>;
}

/** The signed-in mailbox of a Graph request and the scopes of its token. */
export interface Session {
  scopes: Set<string>;
  state: MailboxState | undefined;
}

export type GraphEnv = { Bindings: HttpBindings; Variables: AppEnv['Variables'] & { session: Session } };
export type GraphContext = Context<GraphEnv>;

/** Graph's JSON content type (OData minimal metadata). */
export const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function graphJson(c: GraphContext, body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), status as 200, { 'Content-Type': ODATA_JSON, ...headers });
}

export function graphFail(c: GraphContext, status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  const body = graphError(code, message, c.req.header('client-request-id'));
  return graphJson(c, body, status, { 'request-id': body.error.innerError['request-id'], ...headers });
}

/** Graph's permission families: any one of them grants the call. */
export const SCOPES = {
  mailRead: ['Mail.Read', 'Mail.ReadWrite'],
  mailSend: ['Mail.Send'],
  settings: ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'],
  user: ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All', 'Directory.Read.All'],
};

/**
 * The opening checks of a mailbox route: 403 ErrorAccessDenied unless the token carries one of
 * `allowed`, then Graph's answer for a user without an Exchange mailbox; else the session's mailbox.
 */
export function openMailbox(c: GraphContext, allowed: string[]): MailboxState | Response {
  const { scopes, state } = c.get('session');
  if (!allowed.some((scope) => scopes.has(scope.toLowerCase()))) return graphFail(c, 403, 'ErrorAccessDenied', MESSAGES.denied);
  return state ?? graphFail(c, 404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
}

/** Resolves `$select` names on one Graph type: the names it knows, or the one it does not. */
type SelectResolver = (select: string[] | null) => { fields: string[] } | { unknown: string };

/**
 * The request's `$select` and the properties `resolve` makes of it, or Graph's 400 for a
 * property that `microsoft.graph.<type>` does not have.
 */
export function readSelect(c: GraphContext, type: string, resolve: SelectResolver): { select: string[] | null; fields: string[] } | Response {
  const select = parseSelect(c.req.query('$select'));
  const resolved = resolve(select);
  if ('unknown' in resolved) return graphFail(c, 400, 'RequestBroker--ParseUri', `Could not find a property named '${resolved.unknown}' on type 'microsoft.graph.${type}'.`);
  return { select, fields: resolved.fields };
}

/** The absolute base of this emulator, for next and delta links. */
export function origin(c: GraphContext): string {
  return new URL(c.req.url).origin;
}
