import { Client, type Context, type GraphRequest, type Middleware, type MiddlewareOptions, ResponseType } from '@microsoft/microsoft-graph-client';
import type { z } from 'zod';
import type { AccessTokenSource } from '../../auth/access-token';
import { providerError } from '../../domain';
import { type HttpPeer, parseJson, send } from '../../http/request';
import type { ConcurrencyLimiter } from '../../http/rate-limit';
import { DEFAULT_RETRY, type RetryOptions } from '../../http/retry';
import { retryOwnFailures, settle } from '../../http/batch';
import { classifyGraphError, graphFailure } from './errors';

/** Graph asks for `Prefer: IdType="ImmutableId"` so ids survive moves between folders. */
export const IMMUTABLE_IDS = 'IdType="ImmutableId"';

/** How one Graph call is made, besides what the request builder says. */
export interface GraphCall {
  signal?: AbortSignal;
  /** A body to POST as JSON; without one the call is a GET. */
  body?: unknown;
  /** Signs this call instead of the mailbox's token source, e.g. to know which token a batch used. */
  tokens?: AccessTokenSource;
  /** False for a call that must not happen twice (sending mail): see `HttpRequest.idempotent`. */
  idempotent?: false;
  /** How many requests the call is to the mailbox's limits: a `$batch` is as many as its parts. */
  weight?: number;
}

/** What one call hands the terminal middleware, and what `send` threw (the library would wrap it). */
class CallState implements MiddlewareOptions {
  failure: { error: unknown } | null = null;
  constructor(readonly call: GraphCall) {}
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
    private readonly versionRoot: URL,
  ) {}

  async execute(context: Context): Promise<void> {
    const state = context.middlewareControl?.getMiddlewareOptions(CallState) as CallState | undefined;
    const { signal, tokens = this.peer.tokens, idempotent, weight } = state?.call ?? {};
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    // The one place a request is signed, so the one place its address is checked: the client
    // takes a host from any `https://` in a path or query, whatever built the request.
    if (!isUnder(url, this.versionRoot)) {
      const error = providerError('bad_response', 'outlook', { detail: 'A request was addressed outside Microsoft Graph, so it was not sent.', final: true });
      if (state) state.failure = { error };
      throw error;
    }
    const headers = Object.fromEntries(new Headers(context.options?.headers as HeadersInit | undefined));
    const body = context.options?.body as BodyInit | undefined;
    // `run` admits the first attempt; every repeat `send` makes is one more request to the budget.
    let attempts = 0;
    const beforeAttempt = (attemptSignal?: AbortSignal) => (attempts++ === 0 ? Promise.resolve() : this.limiter.spend(weight ?? 1, attemptSignal));
    try {
      context.response = await this.limiter.run(() => send({ ...this.peer, tokens }, { url, method: context.options?.method, headers, body, signal, idempotent, beforeAttempt }), signal, weight);
    } catch (error) {
      if (state) state.failure = { error };
      throw error;
    }
  }
}

/** Whether `url` is on `root`'s exact origin, without user info, and at or below `root`'s path. */
function isUnder(url: string, root: URL): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.origin === root.origin && parsed.username === '' && parsed.password === '' && parsed.pathname.startsWith(`${root.pathname}/`);
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
  private readonly client: Client;
  readonly peer: HttpPeer;
  readonly retry: Partial<RetryOptions>;
  /** How many requests the mailbox's limiter lets run at once. */
  readonly concurrency: number;
  /** `…/v1.0` of the configured Graph address: every request goes below it. */
  private readonly versionRoot: URL;

  constructor(options: GraphApiOptions) {
    const base = options.graphApiUrl.replace(/\/+$/, '');
    this.versionRoot = new URL(`${base}/v1.0`);
    this.retry = options.retry ?? {};
    this.concurrency = options.limiter.limit;
    this.peer = { source: 'outlook', tokens: options.tokens, classify: classifyGraphError, retry: this.retry };
    this.client = Client.initWithMiddleware({ baseUrl: base, defaultVersion: 'v1.0', middleware: new SendMiddleware(this.peer, options.limiter, this.versionRoot) });
  }

  /**
   * The call, its JSON answer parsed against `schema`. A body that does not parse is read once
   * more; a failure of the exchange is not, since `send` already spent its attempts.
   */
  json<S extends z.ZodType>(build: BuildRequest, schema: S, call: Omit<GraphCall, 'idempotent'> = {}): Promise<z.output<S>> {
    return retryOwnFailures(async () => {
      const text = await settle(this.text(build, call));
      return parseJson('outlook', text, schema);
    }, { ...DEFAULT_RETRY, ...this.retry, attempts: 2, signal: call.signal });
  }

  /** The call, its answer's text, e.g. the empty body of a 202. */
  async text(build: BuildRequest, call: GraphCall = {}): Promise<string> {
    const state = new CallState(call);
    const request = build(this.client).middlewareOptions([state]).responseType(ResponseType.TEXT);
    try {
      const answer: unknown = call.body === undefined ? await request.get() : await request.post(call.body);
      return typeof answer === 'string' ? answer : '';
    } catch (error) {
      throw state.failure ? state.failure.error : graphFailure(error);
    }
  }

  /**
   * A request for a `@odata.nextLink` or `@odata.deltaLink` Graph handed out. The client parses only
   * `https://` links itself, so the link is made relative to the version root first (the emulators
   * run on `http://127.0.0.1`). A link to another host is refused rather than sent our token; the
   * middleware checks the address the client finally builds as well.
   */
  link(url: string): BuildRequest {
    const path = this.relativeLink(url);
    return (client) => client.api(path);
  }

  /**
   * A link Graph handed out as a path below the version root (`/me/…?…`), as a `$batch` part
   * names its request; a link to another host is refused, as in `link`.
   */
  relativeLink(url: string): string {
    if (!isUnder(url, this.versionRoot)) throw providerError('bad_response', 'outlook', { detail: 'Graph returned a link to another host.', final: true });
    const link = new URL(url);
    return `${link.pathname.slice(this.versionRoot.pathname.length)}${link.search}`;
  }
}
