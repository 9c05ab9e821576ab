import type { z } from 'zod';
// Types only (erased at run time), so the Playwright specs can use this file too.
import type { faultSpecSchema } from '../../emulators/core/faults';
import type { LoggedRequest } from '../../emulators/core/request-log';

export type EmulatorService = z.output<typeof faultSpecSchema>['service'];

/** A fault as `POST /__admin/faults` takes it; `service` defaults to the server's own. */
export type FaultInput = Omit<z.input<typeof faultSpecSchema>, 'service'> & { service?: EmulatorService };

/** The admin API (`/__admin/…`) of one emulator server. Every call throws unless the answer is OK. */
export interface EmulatorAdmin {
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  put<T = unknown>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /** Injects one fault and returns its id (the `faultId` of the requests it answers). */
  fault(spec: FaultInput): Promise<number>;
  /**
   * The requests this server's service answered, oldest first: those whose path matches `path`
   * (a regular expression, tested on the path without the query), and after `since` (a `seq`).
   */
  requests(path?: RegExp | string, options?: { since?: number }): Promise<LoggedRequest[]>;
}

/**
 * The admin API of the emulator server at `baseUrl`. Faults and the request log are scoped to
 * that server's service (asked of `/__admin/health` once), since the admin calls of the three
 * servers act on one shared state.
 */
export function emulatorAdmin(baseUrl: string, fetcher: typeof fetch = (input, init) => fetch(input, init)): EmulatorAdmin {
  const root = `${baseUrl.replace(/\/$/, '')}/__admin`;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetcher(`${root}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`admin ${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
  let service: Promise<EmulatorService> | undefined;
  const ownService = () => (service ??= call<{ service: EmulatorService }>('GET', '/health').then((health) => health.service));

  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body),
    delete: (path) => call('DELETE', path),
    async fault(spec) {
      const { ids } = await call<{ ids: number[] }>('POST', '/faults', { service: await ownService(), ...spec });
      return ids[0]!;
    },
    async requests(path, options = {}) {
      const query = new URLSearchParams({ service: await ownService() });
      if (path !== undefined) query.set('path', typeof path === 'string' ? path : path.source);
      if (options.since !== undefined) query.set('since', String(options.since));
      return call('GET', `/requests?${query}`);
    },
  };
}
