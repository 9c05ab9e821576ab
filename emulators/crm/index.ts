import { Hono } from 'hono';
import type { AppEnv, ServiceFactory } from '../core/context';

/** Stub: replaced by the real crm emulator. */
export const createCrmService: ServiceFactory = () => ({
  name: 'crm',
  app: new Hono<AppEnv>(),
  errorResponse: (status) => ({ body: { error: { code: status } } }),
  reset: () => undefined,
});
