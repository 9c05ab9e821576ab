import { Hono } from 'hono';
import type { AppEnv, ServiceFactory } from '../core/context';

/** Stub: replaced by the real microsoft emulator. */
export const createMicrosoftService: ServiceFactory = () => ({
  name: 'microsoft',
  app: new Hono<AppEnv>(),
  errorResponse: (status) => ({ body: { error: { code: status } } }),
  reset: () => undefined,
});
