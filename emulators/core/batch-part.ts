import type { EmulatorContext, ServiceDefinition } from './context';
import { DROPPED, errorAnswer, faultAnswer } from './fault-answer';
import { startEntry } from './request-log';

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
  const finish = startEntry(service.name, request, true);
  const fault = ctx.faults.take(service.name, request.method, new URL(request.url).pathname);
  const faulted = await faultAnswer(fault, service.errorResponse);
  const response =
    faulted === DROPPED ? errorAnswer(service.errorResponse, options.dropStatus, undefined, fault?.retryAfter) : (faulted ?? (await options.dispatch(request)));
  ctx.log.add(finish({ status: response.status, ...options.meta(), faultId: fault?.id ?? null }));
  return response;
}
