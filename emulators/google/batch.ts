import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Hono } from 'hono';
import { runBatchPart } from '../core/batch-part';
import { googleErrorResponse } from './errors';
import { type GmailContext, type GmailDeps, type GmailEnv, gmailFail } from './gmail-context';
import { type BodyPart, boundaryOf, parseMultipart, splitHead } from './multipart';

/** Gmail's batch limit ("You're limited to 100 calls in a single batch request"). */
const MAX_CALLS = 100;
/** Response headers a part passes back. */
const KEPT_HEADERS = ['content-type', 'www-authenticate', 'retry-after'];

/** The request a batch part carries: `GET /gmail/v1/… HTTP/1.1`, its headers, its body. */
function partRequest(part: BodyPart, origin: string, outer: Headers): Request | null {
  const newline = part.body.search(/\r?\n/);
  const requestLine = newline < 0 ? part.body : part.body.slice(0, newline);
  const match = requestLine.trim().match(/^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/);
  if (!match) return null;
  const after = newline < 0 ? '' : part.body.slice(newline).replace(/^\r?\n/, '');
  // No header lines: what follows the blank line is the body.
  const { headers, rest } = /^\r?\n/.test(after) ? { headers: new Headers(), rest: after.replace(/^\r?\n/, '') } : splitHead(after);
  // A part inherits the batch request's Authorization unless it sets its own.
  const authorization = outer.get('authorization');
  if (authorization && !headers.has('authorization')) headers.set('authorization', authorization);
  const method = match[1]!;
  const url = new URL(match[2]!, origin);
  const hasBody = method !== 'GET' && method !== 'HEAD' && rest.length > 0;
  return new Request(`${origin}${url.pathname}${url.search}`, { method, headers, body: hasBody ? rest : undefined });
}

async function partText(response: Response, contentId: string): Promise<string> {
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trimEnd()];
  for (const name of KEPT_HEADERS) {
    const value = response.headers.get(name);
    if (value) lines.push(`${name.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase())}: ${value}`);
  }
  lines.push('Vary: Origin', 'Vary: X-Origin', 'Vary: Referer');
  const body = await response.text();
  return ['Content-Type: application/http', `Content-ID: <response-${contentId}>`, '', ...lines, '', body].join('\r\n');
}

/**
 * `POST /batch/gmail/v1` (and the old global `/batch`): a multipart/mixed body of up to 100
 * `application/http` parts. Each part runs through the service app like a request of its own
 * (authentication, scopes, quota cost, injected faults) and is logged as a batch part; the
 * answer is multipart/mixed with a `response-<Content-ID>` part per call, in order.
 */
export function batchRoutes(deps: GmailDeps): Hono<GmailEnv> {
  const app = new Hono<GmailEnv>();
  const handler = async (c: GmailContext) => {
    const boundary = boundaryOf(c.req.header('content-type'));
    if (!boundary) return gmailFail(c, 400, 'badRequest', 'Invalid multipart request with 0 mime parts.');
    const parts = parseMultipart(await c.req.text(), boundary);
    if (parts.length === 0) return gmailFail(c, 400, 'badRequest', 'Invalid multipart request with 0 mime parts.');
    if (parts.length > MAX_CALLS) return gmailFail(c, 400, 'badRequest', `Too many requests in batch: ${parts.length} (at most ${MAX_CALLS}).`);

    const origin = new URL(c.req.url).origin;
    const answers: string[] = [];
    for (const [index, part] of parts.entries()) {
      const contentId = part.headers.get('content-id')?.replace(/^<|>$/g, '') ?? String(index + 1);
      const request = partRequest(part, origin, c.req.raw.headers);
      const response = request
        ? await runBatchPart(deps.ctx, { name: 'google', errorResponse: googleErrorResponse }, request, {
            dispatch: (inner) => deps.dispatch(inner, c.env),
            dropStatus: 503,
            meta: () => deps.meta.get(request) ?? { user: null, cost: 0 },
          })
        : new Response(JSON.stringify(googleErrorResponse(400, 'badRequest').body), { status: 400, headers: { 'Content-Type': 'application/json; charset=UTF-8' } });
      answers.push(await partText(response, contentId));
    }
    const out = `batch_${randomBytes(12).toString('base64url')}`;
    const body = `${answers.map((a) => `--${out}\r\n${a}\r\n`).join('')}--${out}--\r\n`;
    return c.body(body, 200, { 'Content-Type': `multipart/mixed; boundary=${out}` });
  };
  app.post('/batch/gmail/v1', handler);
  app.post('/batch', handler);
  return app;
}
