import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceDefinition } from './context';
import type { Fault } from './faults';

const JSON_TYPE = 'application/json; charset=UTF-8';

/** What `faultAnswer` gives for a dropped connection: a server closes the socket, a batch answers its drop status. */
export const DROPPED = Symbol('dropped');

/**
 * The peer's error answer for `status`, in its own shape. `retryAfter` replaces the peer's
 * `Retry-After`; null removes it (a peer that sends none), undefined keeps the peer's default.
 */
export function errorAnswer(errorResponse: ServiceDefinition['errorResponse'], status: number, reason?: string, retryAfter?: number | null): Response {
  const { body, headers } = errorResponse(status, reason);
  const response = new Response(JSON.stringify(body), { status, headers: { 'Content-Type': JSON_TYPE, ...headers } });
  if (retryAfter === null) response.headers.delete('Retry-After');
  else if (retryAfter !== undefined) response.headers.set('Retry-After', String(retryAfter));
  return response;
}

/**
 * What an injected fault makes the peer answer, once the fault's delay has passed: its raw body,
 * its error, `DROPPED`, or null when the request goes on to the service (no fault, or a bare delay).
 * The one place both whole requests and batch parts meet their faults.
 */
export async function faultAnswer(fault: Fault | null, errorResponse: ServiceDefinition['errorResponse']): Promise<Response | typeof DROPPED | null> {
  if (!fault) return null;
  if (fault.delayMs) await sleep(fault.delayMs);
  if (fault.drop) return DROPPED;
  if (fault.rawBody !== undefined) return new Response(fault.rawBody, { status: 200, headers: { 'Content-Type': JSON_TYPE } });
  if (fault.status) return errorAnswer(errorResponse, fault.status, fault.reason, fault.retryAfter);
  return null;
}
