import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MiddlewareHandler } from 'hono';
import { type GraphDeps, type GraphEnv, graphFail } from './graph-context';
import { GRAPH_CHALLENGE, MESSAGES } from './graph-errors';

/**
 * Every Graph request: the bearer token (401 in Graph's shape), the mailbox's throttling limits
 * (429 with Retry-After), then the request ids Graph puts on each answer.
 */
export function graphMiddleware(deps: GraphDeps): MiddlewareHandler<GraphEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const auth = deps.identity.oauth.authenticate(header);
    if (typeof auth === 'string') {
      const token = header?.match(/^Bearer\s+(.*)$/i)?.[1]?.trim() ?? '';
      const message = auth === 'token_expired' ? MESSAGES.expired : token === '' ? MESSAGES.empty : token.split('.').length < 3 ? MESSAGES.malformed : MESSAGES.invalid;
      return graphFail(c, 401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': GRAPH_CHALLENGE });
    }
    c.set('user', auth.user);
    c.set('session', {
      scopes: new Set(auth.scope.split(' ').map((s) => s.toLowerCase())),
      state: deps.store.mailboxByAddress(auth.user),
    });

    // A batch is not throttled itself: each of its requests is.
    const isBatch = new URL(c.req.url).pathname.endsWith('/$batch');
    let release: (() => void) | null = null;
    if (!isBatch) {
      const admission = deps.throttle.admit(auth.user, { concurrency: deps.ctx.config.graphConcurrency, per10Min: deps.ctx.config.graphRequestsPer10Min });
      if (!admission.ok) {
        // Exchange names a concurrency refusal ApplicationThrottled (Microsoft Q&A 968767).
        const [code, message] = admission.message === 'concurrency' ? ['ApplicationThrottled', MESSAGES.concurrency] : ['TooManyRequests', MESSAGES.rate];
        return graphFail(c, 429, code, message, {
          'Retry-After': String(admission.retryAfterSec),
        });
      }
      release = admission.release;
    }
    try {
      if (deps.latency.ms > 0 && !isBatch) await sleep(deps.latency.ms);
      await next();
    } finally {
      release?.();
    }
    if (!c.res.headers.has('request-id')) c.res.headers.set('request-id', randomUUID());
    c.res.headers.set('client-request-id', c.req.header('client-request-id') ?? c.res.headers.get('request-id')!);
  };
}
