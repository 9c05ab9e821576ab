import { Client, type Context, type GraphRequest, type Middleware, type MiddlewareOptions, ResponseType } from '@microsoft/microsoft-graph-client';
import type { z } from 'zod';
import type { AccessTokenSource } from '../../auth/access-token';
import { providerError } from '../../domain';
import { type HttpPeer, parseJson, send } from '../../http/request';
import type { ConcurrencyLimiter } from '../../sync/rate-limit';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from '../../sync/retry';
import { classifyGraphError, graphFailure } from './errors';

/** Graph asks for `Prefer: IdType="ImmutableId"` so ids survive moves between folders. */
export const IMMUTABLE_IDS = 'IdType="ImmutableId"';

/** What one call hands the terminal middleware, and what `send` threw (the library would wrap it). */
class CallState implements MiddlewareOptions {
  failure: { error: unknown } | null = null;
  constructor(readonly signal: AbortSignal | undefined) {}
}

/**
 * The one middleware of our chain. The library's default chain (auth, retry, redirect, telemetry)
 * is replaced: its RetryHandler retries on its own clock, unbounded by our attempts and deaf to
 * our `AbortSignal`, and its AuthenticationHandler signs only `https://graph.microsoft.com`-style
 * hosts. Instead, every request goes through the mailbox's `ConcurrencyLimiter` and the shared
 * `send`, which signs it from the `AccessTokenSource`, renews a refused token once (401), retries
 * transient failures with backoff and `Retry-After`, and classifies the rest with
 * `classifyGraphError`. The slot is held across a request's retries, so a throttled request keeps
 * the mailbox at most as busy as before it was refused.
 */
class SendMiddleware implements Middleware {
  constructor(
    private readonly peer: HttpPeer,
    private readonly limiter: ConcurrencyLimiter,
  ) {}

  async execute(context: Context): Promise<void> {
    const state = context.middlewareControl?.getMiddlewareOptions(CallState) as CallState | undefined;
    const signal = state?.signal;
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const headers = Object.fromEntries(new Headers(context.options?.headers as HeadersInit | undefined));
    try {
      context.response = await this.limiter.run(
        () => send(this.peer, { url, method: context.options?.method, headers, body: context.options?.body as BodyInit | undefined, signal }),
        signal,
      );
    } catch (error) {
      if (state) state.failure = { error };
      throw error;
    }
  }
}

/** An error `withRetry` must pass through untouched: it was already retried where it arose. */
class Settled {
  constructor(readonly error: unknown) {}
}

/** Marks the failure of `work` as settled (see `retryOwnFailures`). */
export function settle<T>(work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    throw new Settled(error);
  });
}

/**
 * `withRetry` for the failures `operation` raises itself; those of inner calls wrapped in `settle`
 * come out as they were, so attempts do not multiply (5 of `send` times 2 here would be 10).
 */
export async function retryOwnFailures<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  try {
    return await withRetry(operation, options);
  } catch (error) {
    throw error instanceof Settled ? error.error : error;
  }
}

export interface GraphApiOptions {
  graphApiUrl: string;
  tokens: AccessTokenSource;
  limiter: ConcurrencyLimiter;
  retry?: Partial<RetryOptions>;
}

/** A request built on the Graph client's fluent API (`client.api(path).select(…)…`). */
export type BuildRequest = (client: Client) => GraphRequest;

/**
 * Microsoft Graph v1.0 for one mailbox through `@microsoft/microsoft-graph-client`: the client builds
 * URLs and OData options; our middleware sends them; answers are checked with zod. Every failure
 * comes out as a `ProviderError`; an abort comes out as the signal's reason.
 */
export class GraphApi {
  readonly client: Client;
  readonly retry: Partial<RetryOptions>;
  private readonly versionRoot: string;

  constructor(options: GraphApiOptions) {
    const base = options.graphApiUrl.replace(/\/+$/, '');
    this.versionRoot = `${base}/v1.0`;
    this.retry = options.retry ?? {};
    const peer: HttpPeer = { source: 'outlook', tokens: options.tokens, classify: classifyGraphError, retry: this.retry };
    this.client = Client.initWithMiddleware({ baseUrl: base, defaultVersion: 'v1.0', middleware: new SendMiddleware(peer, options.limiter) });
  }

  /**
   * GET (or POST `body`) and parse the JSON answer against `schema`. A body that does not parse is
   * read once more; a failure of the exchange is not, since `send` already spent its attempts.
   */
  json<S extends z.ZodType>(build: BuildRequest, schema: S, signal?: AbortSignal, body?: unknown): Promise<z.output<S>> {
    return retryOwnFailures(async () => {
      const text = await settle(this.text(build, signal, body));
      return parseJson('outlook', text, schema);
    }, { ...DEFAULT_RETRY, ...this.retry, attempts: 2, signal });
  }

  /** GET (or POST `body`) and return the answer's text, e.g. the empty body of a 202. */
  async text(build: BuildRequest, signal?: AbortSignal, body?: unknown): Promise<string> {
    const state = new CallState(signal);
    const request = build(this.client).middlewareOptions([state]).responseType(ResponseType.TEXT);
    try {
      const answer: unknown = body === undefined ? await request.get() : await request.post(body);
      return typeof answer === 'string' ? answer : '';
    } catch (error) {
      throw state.failure ? state.failure.error : graphFailure(error);
    }
  }

  /**
   * A request for a `@odata.nextLink` or `@odata.deltaLink` Graph handed out. The client parses only
   * `https://` links itself, so the link is made relative to the version root first (the emulators
   * run on `http://127.0.0.1`). A link to another host is refused rather than sent our token.
   */
  link(url: string): BuildRequest {
    if (!url.startsWith(`${this.versionRoot}/`)) throw providerError('bad_response', 'outlook', { detail: 'Graph returned a link to another host.' });
    const path = url.slice(this.versionRoot.length);
    return (client) => client.api(path);
  }
}
