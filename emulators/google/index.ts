import { Hono } from 'hono';
import type { AppEnv, ServiceFactory } from '../core/context';

/** Stub: replaced by the real google emulator. */
export const createGoogleService: ServiceFactory = () => ({
  name: 'google',
  app: new Hono<AppEnv>(),
  errorResponse: (status) => ({ body: { error: { code: status } } }),
  reset: () => undefined,
});
