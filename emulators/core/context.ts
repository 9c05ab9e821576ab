import type { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { generateWorld } from '../seed/generate';
import { type TruthSource, TruthSettings } from '../seed/policy';
import type { SeedOptions, World } from '../seed/types';
import { expiryUser } from './expiry';
import { FaultRegistry } from './faults';
import { RequestLog } from './request-log';

export type ServiceName = 'google' | 'microsoft' | 'crm';

/** Knobs the tests turn through `PUT /__admin/config`; scenarios preset some of them. */
export interface EmulatorConfig {
  /** The automatic consent step: "allow" redirects with a code, "deny" with `error=access_denied`. */
  consent: 'allow' | 'deny';
  /** Lifetime of every access token. */
  accessTokenTtlSec: number;
  /** Lifetime of Microsoft refresh tokens (24 h for single-page-app clients, R2). */
  microsoftRefreshTokenTtlSec: number;
  /** Gmail per-user quota, in units per second (a moving average over one second). */
  gmailUnitsPerSecond: number;
  /** Graph: concurrent requests per mailbox. */
  graphConcurrency: number;
  /** Graph: requests per mailbox per 10 minutes. */
  graphRequestsPer10Min: number;
  /**
   * The redirect URLs registered for each OAuth client, per service, as the real consoles keep
   * them: an authorize request must name one of its client's exactly. The `*` entry is for every
   * client id not listed.
   */
  redirectUris: Record<ServiceName, RedirectRegistry>;
}

/** Client id (or `*`) to its registered redirect URLs. */
export type RedirectRegistry = Record<string, string[]>;

/** The pinned extension id (`keys/extension-dev.pub`): every dev and e2e build signs in as it. */
const EXTENSION_REDIRECT_BASE = 'https://caciholiefihaajpdhopelakjjeojlim.chromiumapp.org';
/** The made-up client the emulators' own protocol tests sign in as (the `sign-in.ts` of each peer). */
const EMULATOR_TEST_REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

/**
 * By default every client may use the extension's redirect URL for that authorization server
 * (`identity.getRedirectURL('google')` and so on) and the emulator tests' own; no other.
 */
export const DEFAULT_REDIRECT_URIS: Record<ServiceName, RedirectRegistry> = {
  google: { '*': [`${EXTENSION_REDIRECT_BASE}/google`, EMULATOR_TEST_REDIRECT] },
  microsoft: { '*': [`${EXTENSION_REDIRECT_BASE}/microsoft`, EMULATOR_TEST_REDIRECT] },
  crm: { '*': [`${EXTENSION_REDIRECT_BASE}/crm`, EMULATOR_TEST_REDIRECT] },
};

export const DEFAULT_CONFIG: EmulatorConfig = {
  consent: 'allow',
  accessTokenTtlSec: 3600,
  microsoftRefreshTokenTtlSec: 24 * 3600,
  gmailUnitsPerSecond: 250,
  graphConcurrency: 4,
  graphRequestsPer10Min: 10_000,
  redirectUris: DEFAULT_REDIRECT_URIS,
};

/** Named presets for `--scenario`. */
export const SCENARIOS: Record<string, Partial<EmulatorConfig>> = {
  default: {},
  'consent-denied': { consent: 'deny' },
  throttled: { gmailUnitsPerSecond: 25, graphRequestsPer10Min: 300 },
};

/** What `POST /__admin/expire` can expire. */
export type ExpireWhat = 'access_tokens' | 'refresh_tokens' | 'history' | 'delta';

/** Hono typing shared by every service: Node bindings (for dropped connections) and log fields. */
export type AppEnv = {
  Bindings: HttpBindings;
  Variables: {
    /** The mailbox or CRM user the request acted for, once authenticated. */
    user?: string;
    /** Quota units the request cost (Gmail). */
    cost?: number;
  };
};

/** One emulated peer. The core wraps `app` with logging, faults and the admin API. */
export interface ServiceDefinition {
  name: ServiceName;
  app: Hono<AppEnv>;
  /** The peer's own error body for a status (and optional reason), for injected faults. */
  errorResponse(status: number, reason?: string): { body: unknown; headers?: Record<string, string> };
  /** Rebuilds the service's data from a new world. */
  reset(world: World): void;
  /** Expires `what` for one user (a lower-cased address, see `expiryUser`) or, without one, for all. */
  expire?(what: ExpireWhat, user?: string): void;
  /** Extra admin routes, mounted under `/__admin/<name>/`. */
  admin?: Hono<AppEnv>;
  /** What the ground truth reads from this service now. */
  truth?: TruthSource;
}

export type ServiceFactory = (ctx: EmulatorContext) => ServiceDefinition;

/** State shared by the three servers of one `startEmulators` call. */
export class EmulatorContext {
  world: World;
  config: EmulatorConfig;
  readonly faults = new FaultRegistry();
  readonly log = new RequestLog();
  readonly services: ServiceDefinition[] = [];
  /** The policy and thread marks the ground truth assumes; tests change them through the admin API. */
  readonly truth: TruthSettings;

  constructor(seed: SeedOptions, config: EmulatorConfig) {
    this.world = generateWorld(seed);
    this.config = config;
    this.truth = new TruthSettings(this.world);
  }

  register(service: ServiceDefinition): void {
    this.services.push(service);
    service.reset(this.world);
  }

  /** Reseeds every service; faults, the request log and thread marks start empty, the policy as seeded. */
  reset(seed: SeedOptions): void {
    this.world = generateWorld(seed);
    this.faults.clear();
    this.log.clear();
    this.truth.reset(this.world);
    for (const service of this.services) service.reset(this.world);
  }

  /** `POST /__admin/expire`: `user` is a mailbox id or an address in any case, or absent for all. */
  expire(what: ExpireWhat, user?: string): void {
    const address = expiryUser(this.world, user);
    for (const service of this.services) service.expire?.(what, address);
  }
}
