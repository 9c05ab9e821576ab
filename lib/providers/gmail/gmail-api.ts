import type { z } from 'zod';
import type { AccessTokenSource } from '../../auth/access-token';
import { type HttpPeer, type HttpRequest, requestJson } from '../../http/request';
import type { SlidingWindowLimiter } from '../../http/rate-limit';
import type { RetryOptions } from '../../http/retry';
import { classifyGmailError } from './errors';
import { takeUnits } from './quota';

/** Query parameters; a list repeats the name (`metadataHeaders=From&metadataHeaders=To`). */
export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/** `?a=1&b=x&b=y`, skipping undefined values; empty when there is nothing to add. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(name, item);
    else params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The path of a Gmail method for the signed-in user: `/gmail/v1/users/me/<rest>`. */
export const userPath = (rest: string) => `/gmail/v1/users/me/${rest}`;

/**
 * One mailbox's way to the Gmail API: every request is signed from the token source, waits for
 * its quota units in the mailbox's limiter before each attempt (retries spend units too), and
 * fails as a classified `ProviderError` (see `send` for the 401 and retry handling).
 */
export class GmailApi {
  readonly peer: HttpPeer;

  constructor(
    readonly baseUrl: string,
    tokens: AccessTokenSource,
    readonly limiter: SlidingWindowLimiter,
    readonly retry: Partial<RetryOptions> = {},
  ) {
    this.peer = { source: 'gmail', tokens, classify: classifyGmailError, retry };
  }

  /** A request that costs `cost` units, for `send` and `requestJson`. */
  request(path: string, cost: number, init: Omit<HttpRequest, 'url' | 'beforeAttempt'> & { query?: Query } = {}): HttpRequest {
    const { query, ...rest } = init;
    return { ...rest, url: `${this.baseUrl.replace(/\/$/, '')}${path}${queryString(query)}`, beforeAttempt: (signal) => takeUnits(this.limiter, cost, signal) };
  }

  /** GET a JSON resource. */
  get<S extends z.ZodType>(path: string, cost: number, schema: S, query?: Query, signal?: AbortSignal): Promise<z.output<S>> {
    return requestJson(this.peer, { ...this.request(path, cost, { query, signal }), schema });
  }

  /** POST a JSON body, read a JSON answer; `idempotent: false` for a call that must not happen twice. */
  post<S extends z.ZodType>(path: string, cost: number, schema: S, body: unknown, init: Pick<HttpRequest, 'signal' | 'idempotent'> = {}): Promise<z.output<S>> {
    const request = this.request(path, cost, { ...init, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return requestJson(this.peer, { ...request, schema });
  }
}
