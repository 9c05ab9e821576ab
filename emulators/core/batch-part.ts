import type { EmulatorContext, ServiceDefinition } from './context';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BatchPartOptions {
  /** Runs the part through the service app. */
  dispatch(request: Request): Promise<Response>;
  /** What a dropped part answers: a batch cannot drop the connection of one of its parts. */
  dropStatus: number;
  /** Who the part acted for and what it cost, read once it has run. */
  meta(): { user: string | null; cost: number };
}

/**
 * One part of a batch request, treated like a request of its own (as Google and Graph do): it
 * meets the injected fault that matches its own method and path, in the peer's error shape, and
 * is logged with `batchPart: true`. The core logs the enclosing batch request itself.
 */
export async function runBatchPart(
  ctx: EmulatorContext,
  service: Pick<ServiceDefinition, 'name' | 'errorResponse'>,
  request: Request,
  options: BatchPartOptions,
): Promise<Response> {
  const started = performance.now();
  const url = new URL(request.url);
  const fault = ctx.faults.take(service.name, request.method, url.pathname);
  const answer = (response: Response) => {
    const { user, cost } = options.meta();
    ctx.log.add({
      at: Date.now(),
      service: service.name,
      method: request.method,
      path: url.pathname,
      query: url.search,
      status: response.status,
      durationMs: performance.now() - started,
      user,
      cost,
      batchPart: true,
      faultId: fault?.id ?? null,
    });
    return response;
  };
  const failure = (status: number, reason?: string) => {
    const { body, headers } = service.errorResponse(status, reason);
    const response = new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=UTF-8', ...headers } });
    if (fault?.retryAfter !== undefined) response.headers.set('Retry-After', String(fault.retryAfter));
    return response;
  };

  if (fault?.delayMs) await sleep(fault.delayMs);
  if (fault?.drop) return answer(failure(options.dropStatus));
  if (fault?.rawBody !== undefined) return answer(new Response(fault.rawBody, { status: 200, headers: { 'Content-Type': 'application/json; charset=UTF-8' } }));
  if (fault?.status) return answer(failure(fault.status, fault.reason));
  return answer(await options.dispatch(request));
}
