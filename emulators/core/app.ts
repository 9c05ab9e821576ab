import { Hono } from 'hono';
import { z } from 'zod';
import type { SizeName } from '../seed/types';
import { type AppEnv, type EmulatorContext, SCENARIOS, type ServiceDefinition } from './context';
import { DROPPED, faultAnswer } from './fault-answer';
import { faultSpecSchema } from './faults';
import { startEntry } from './request-log';
import { truthAdmin } from './truth-admin';

const resetSchema = z
  .object({
    seed: z.number().int().optional(),
    size: z.union([z.enum(['demo', '10k', '100k']), z.number().int().positive()]).optional(),
    now: z.number().int().optional(),
    scenario: z.string().optional(),
  })
  .strict();

const configSchema = z
  .object({
    consent: z.enum(['allow', 'deny']),
    accessTokenTtlSec: z.number().int().positive(),
    microsoftRefreshTokenTtlSec: z.number().int().positive(),
    gmailUnitsPerSecond: z.number().positive(),
    graphConcurrency: z.number().int().positive(),
    graphRequestsPer10Min: z.number().int().positive(),
    /** Per service given, its whole registry is replaced; the others stay. */
    redirectUris: z.partialRecord(z.enum(['google', 'microsoft', 'crm']), z.record(z.string().min(1), z.array(z.string().min(1)))),
  })
  .partial()
  .strict();

const expireSchema = z.object({ what: z.enum(['access_tokens', 'refresh_tokens', 'history', 'delta']), user: z.string().optional() }).strict();

/**
 * Wraps one service with what every emulator has: the request log, injected faults, and the
 * admin API under `/__admin/`. Admin calls on any of the three servers act on the shared state.
 */
export function buildServiceApp(service: ServiceDefinition, ctx: EmulatorContext): Hono<AppEnv> {
  const root = new Hono<AppEnv>();
  root.route('/__admin', adminRoutes(ctx, service));

  root.use('*', async (c, next) => {
    const finish = startEntry(service.name, c.req.raw, false);
    const fault = ctx.faults.take(service.name, c.req.method, new URL(c.req.url).pathname);
    const record = (status: number) => ctx.log.add(finish({ status, user: c.get('user') ?? null, cost: c.get('cost') ?? 0, faultId: fault?.id ?? null }));

    const answer = await faultAnswer(fault, service.errorResponse);
    if (answer === DROPPED) {
      record(0);
      c.env.incoming.socket.destroy();
      return new Response(null, { status: 500 });
    }
    if (answer) {
      record(answer.status);
      return answer;
    }
    await next();
    record(c.res.status);
  });

  root.route('/', service.app);
  return root;
}

function adminRoutes(ctx: EmulatorContext, service: ServiceDefinition): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();
  admin.get('/health', (c) => c.json({ ok: true, service: service.name }));

  admin.post('/faults', async (c) => {
    const body: unknown = await c.req.json();
    const specs = z.array(faultSpecSchema).safeParse(Array.isArray(body) ? body : [body]);
    if (!specs.success) return c.json({ error: z.prettifyError(specs.error) }, 400);
    return c.json({ ids: specs.data.map((spec) => ctx.faults.add(spec).id) });
  });
  admin.get('/faults', (c) => c.json(ctx.faults.list().map(({ pattern: _, ...fault }) => fault)));
  admin.delete('/faults', (c) => {
    ctx.faults.clear();
    return c.body(null, 204);
  });

  admin.post('/expire', async (c) => {
    const input = expireSchema.safeParse(await c.req.json());
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    ctx.expire(input.data.what, input.data.user);
    return c.body(null, 204);
  });

  admin.get('/config', (c) => c.json(ctx.config));
  admin.put('/config', async (c) => {
    const input = configSchema.safeParse(await c.req.json());
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const { redirectUris, ...flat } = input.data;
    // A new object, never a change in place: the defaults are shared by every emulator instance.
    ctx.config = { ...ctx.config, ...flat, redirectUris: { ...ctx.config.redirectUris, ...redirectUris } };
    return c.json(ctx.config);
  });

  admin.post('/reset', async (c) => {
    const input = resetSchema.safeParse(await c.req.json().catch(() => ({})));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const { scenario, ...seed } = input.data;
    if (scenario !== undefined) {
      const preset = SCENARIOS[scenario];
      if (!preset) return c.json({ error: `Unknown scenario "${scenario}"; known: ${Object.keys(SCENARIOS).join(', ')}` }, 400);
      Object.assign(ctx.config, preset);
    }
    const current = ctx.world.options;
    ctx.reset({ seed: seed.seed ?? current.seed, size: (seed.size as SizeName | number | undefined) ?? current.size, now: seed.now ?? current.now });
    return c.json(worldSummary(ctx));
  });

  admin.get('/world', (c) => c.json(worldSummary(ctx)));
  admin.route('/', truthAdmin(ctx));

  admin.get('/requests', (c) => {
    const since = c.req.query('since');
    return c.json(ctx.log.query({ service: c.req.query('service'), since: since ? Number(since) : undefined, path: c.req.query('path') }));
  });
  admin.delete('/requests', (c) => {
    ctx.log.clear();
    return c.body(null, 204);
  });

  for (const other of ctx.services) if (other.admin) admin.route(`/${other.name}`, other.admin);
  return admin;
}

function worldSummary(ctx: EmulatorContext) {
  const { world } = ctx;
  const perMailbox: Record<string, number> = {};
  for (const m of world.messages) perMailbox[m.mailboxId] = (perMailbox[m.mailboxId] ?? 0) + 1;
  return {
    options: world.options,
    policy: world.policy,
    mailboxes: world.mailboxes.map((m) => ({ ...m, messages: perMailbox[m.id] ?? 0 })),
    contacts: world.contacts.length,
    companies: world.companies.length,
    messages: world.messages.length,
  };
}
