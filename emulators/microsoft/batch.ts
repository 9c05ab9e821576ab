import { Hono } from 'hono';
import { z } from 'zod';
import { runBatchPart } from '../core/batch-part';
import { type GraphDeps, type GraphEnv, graphFail, graphJson } from './graph-context';
import { graphError, graphErrorResponse } from './graph-errors';

/** Graph's JSON batching limit. */
const MAX_REQUESTS = 20;

const batchSchema = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string().toUpperCase(),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});
type Part = z.infer<typeof batchSchema>['requests'][number];

interface PartResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Response headers worth passing back in a part, as Graph does. */
const KEPT_HEADERS: Record<string, string> = {
  'content-type': 'Content-Type',
  'retry-after': 'Retry-After',
  'preference-applied': 'Preference-Applied',
  'www-authenticate': 'WWW-Authenticate',
  location: 'Location',
};

/**
 * `POST /$batch`: up to 20 requests, each run through the service app on its own, so
 * authentication, scopes, throttling and injected faults apply per request. As on Graph, the
 * parts run in parallel, each counting against the mailbox's concurrent requests and its
 * 10-minute budget: a part over either gets its own 429 with Retry-After inside the 200 answer
 * ("Application is over its MailboxConcurrency limit", as Microsoft Q&A 968767 shows for a batch
 * of seven). A part with `dependsOn` waits for the parts it names, and gets 424 if one failed.
 * Responses come in the order the parts finish, as Graph does not promise any order.
 */
export function batchRoutes(deps: GraphDeps): Hono<GraphEnv> {
  const app = new Hono<GraphEnv>();
  app.post('/$batch', async (c) => {
    const raw: unknown = await c.req.json().catch(() => undefined);
    const parsed = batchSchema.safeParse(raw);
    if (!parsed.success) return graphFail(c, 400, 'BadRequest', 'Invalid batch payload format.');
    const { requests } = parsed.data;
    if (requests.length > MAX_REQUESTS) return graphFail(c, 400, 'BadRequest', `Invalid batch payload. The number of requests (${requests.length}) exceeds the maximum of ${MAX_REQUESTS}.`);
    if (new Set(requests.map((r) => r.id)).size !== requests.length) return graphFail(c, 400, 'BadRequest', 'Batch request contains duplicate ids.');
    const ids = new Set(requests.map((r) => r.id));
    const unknown = requests.find((r) => r.dependsOn?.some((id) => !ids.has(id) || id === r.id));
    if (unknown) return graphFail(c, 400, 'BadRequest', `Request ${unknown.id} depends on a request that is not in the batch.`);

    const origin = new URL(c.req.url).origin;
    const user = c.get('user') ?? null;
    const responses: PartResponse[] = [];
    const running = new Map<string, Promise<PartResponse>>();
    // Every part starts at once; one with `dependsOn` first awaits its dependencies. Only parts
    // listed before it can be awaited (so no cycle can form); naming a later one fails with 424.
    const start = (part: Part): Promise<PartResponse> => {
      const dependencies = (part.dependsOn ?? []).map((id) => running.get(id) ?? Promise.resolve(failedDependency(id)));
      return Promise.all(dependencies).then(async (done) => {
        const answer = done.some((r) => r.status >= 400)
          ? failedDependency(part.id)
          : await runPart(deps, part, origin, c.req.header('authorization'), c.env, user);
        responses.push(answer);
        return answer;
      });
    };
    for (const part of requests) running.set(part.id, start(part));
    await Promise.all(running.values());
    return graphJson(c, { responses });
  });
  return app;
}

function failedDependency(id: string): PartResponse {
  return { id, status: 424, headers: { 'Content-Type': 'application/json' }, body: graphError('FailedDependency', 'Request failed because a request it depends on failed.') };
}

async function runPart(deps: GraphDeps, part: Part, origin: string, authorization: string | undefined, env: GraphEnv['Bindings'], user: string | null): Promise<PartResponse> {
  if (/^[a-z]+:\/\//i.test(part.url)) {
    return { id: part.id, status: 400, headers: { 'Content-Type': 'application/json' }, body: graphError('BadRequest', 'Absolute URLs are not supported in batch requests; use a URL relative to the version.') };
  }
  // The SDK's BatchRequestContent turns an absolute request URL into "/v1.0/…": take both forms.
  const relative = `${part.url.startsWith('/') ? '' : '/'}${part.url}`.replace(/^\/v1\.0(?=\/)/i, '');
  const headers = new Headers(part.headers);
  if (authorization) headers.set('Authorization', authorization);
  const missingContentType = part.body !== undefined && !headers.has('content-type');
  const hasBody = part.body !== undefined && part.method !== 'GET' && part.method !== 'HEAD';
  const request = new Request(`${origin}/v1.0${relative}`, { method: part.method, headers, body: hasBody ? JSON.stringify(part.body) : undefined });
  const response = await runBatchPart(deps.ctx, { name: 'microsoft', errorResponse: graphErrorResponse }, request, {
    dropStatus: 504,
    meta: () => ({ user, cost: 0 }),
    dispatch: async (inner) =>
      missingContentType
        ? Response.json(graphError('BadRequest', `Write request id : ${part.id} does not contain Content-Type header or body.`), { status: 400 })
        : deps.dispatch(inner, env),
  });
  const kept: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    const canonical = KEPT_HEADERS[name];
    if (canonical) kept[canonical] = value;
  });
  const text = await response.text();
  return { id: part.id, status: response.status, headers: kept, ...(text ? { body: parseOrKeep(text) } : {}) };
}

/** A part's JSON body, or its text as is (an injected malformed body). */
function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
