import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { buildServiceApp } from './core/app';
import { DEFAULT_CONFIG, type EmulatorConfig, EmulatorContext, SCENARIOS, type ServiceName } from './core/context';
import { createCrmService } from './crm';
import { createGoogleService } from './google';
import { createMicrosoftService } from './microsoft';
import type { SizeName } from './seed/types';

export interface StartOptions {
  /** Google listens on `port`, Microsoft on `port + 1`, the CRM on `port + 2`; 0 picks free ports. */
  port?: number;
  seed?: number;
  size?: SizeName | number;
  /** A preset from `SCENARIOS`. */
  scenario?: string;
  /** The moment the seeded mailboxes are "as of"; defaults to now. */
  now?: number;
  config?: Partial<EmulatorConfig>;
}

export interface EmulatorUrls {
  google: string;
  microsoft: string;
  crm: string;
}

export interface RunningEmulators {
  urls: EmulatorUrls;
  context: EmulatorContext;
  stop(): Promise<void>;
}

/** Starts the Google, Microsoft and CRM emulators on 127.0.0.1 with one shared seeded world. */
export async function startEmulators(options: StartOptions = {}): Promise<RunningEmulators> {
  const scenario = options.scenario ?? 'default';
  const preset = SCENARIOS[scenario];
  if (!preset) throw new Error(`Unknown scenario "${scenario}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
  const context = new EmulatorContext(
    { seed: options.seed ?? 1, size: options.size ?? 'demo', now: options.now ?? Date.now() },
    { ...DEFAULT_CONFIG, ...preset, ...options.config },
  );
  for (const factory of [createGoogleService, createMicrosoftService, createCrmService]) context.register(factory(context));

  const servers: ServerType[] = [];
  const urls = {} as EmulatorUrls;
  try {
    for (const [offset, service] of context.services.entries()) {
      const port = options.port ? options.port + offset : 0;
      const server = await listen(buildServiceApp(service, context).fetch, port);
      servers.push(server);
      urls[service.name as ServiceName] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
  } catch (error) {
    await Promise.all(servers.map(close));
    throw error;
  }
  return { urls, context, stop: () => Promise.all(servers.map(close)).then(() => undefined) };
}

function listen(fetch: (request: Request, env: never) => Response | Promise<Response>, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: fetch as never, port, hostname: '127.0.0.1' }, () => resolve(server));
    server.once('error', reject);
  });
}

function close(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  });
}
