import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { AppEnv, EmulatorContext } from '../core/context';
import { graphError } from './graph-errors';
import type { Identity } from './identity';
import type { MailboxState, MailStore } from './mail-store';
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
  user: string;
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

/** 403 ErrorAccessDenied unless the token carries one of `allowed`. */
export function requireScope(c: GraphContext, allowed: string[]): Response | null {
  const { scopes } = c.get('session');
  if (allowed.some((scope) => scopes.has(scope.toLowerCase()))) return null;
  return graphFail(c, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
}

/** The mailbox of the session, or Graph's answer for a user without an Exchange mailbox. */
export function requireMailbox(c: GraphContext): MailboxState | Response {
  const { state } = c.get('session');
  return state ?? graphFail(c, 404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
}

/** The absolute base of this emulator, for next and delta links. */
export function origin(c: GraphContext): string {
  return new URL(c.req.url).origin;
}
