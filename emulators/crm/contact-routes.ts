import { Hono } from 'hono';
import { z } from 'zod';
import { type CrmDeps, type CrmEnv, origin, readBody, requireScope } from './api-context';
import { type FieldErrors, fail, fieldErrors, validationFailed } from './errors';
import { idempotent } from './idempotency';
import { contactCreateSchema } from './schemas';
import { type ContactRecord, compareIds } from './store';
import { contactJson, userJson } from './wire';

const DEFAULT_PER_PAGE = 25;

const listQuerySchema = z.object({
  email: z.string().optional(),
  updated_after: z.iso.datetime({ offset: true }).optional(),
  after_id: z.string().min(1).optional(),
  sort_by: z.enum(['updated_at', 'created_at', 'name', 'id']).default('updated_at'),
  sort_direction: z.enum(['asc', 'desc']).default('asc'),
});

/** Agiled's paging: invalid or missing values fall back to the default, `per_page` is clamped. */
function pageNumber(raw: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  return raw !== undefined && Number.isInteger(value) && value >= 1 ? Math.min(value, max) : fallback;
}

const SORT_KEYS: Record<z.infer<typeof listQuerySchema>['sort_by'], (c: ContactRecord) => number | string> = {
  updated_at: (c) => c.updatedAt,
  created_at: (c) => c.createdAt,
  name: (c) => c.name,
  id: (c) => c.id,
};

/** `GET /me`, and contacts: list (paged, incremental), create, get one. */
export function contactRoutes(deps: CrmDeps): Hono<CrmEnv> {
  const app = new Hono<CrmEnv>();
  const { store } = deps;

  app.get('/me', (c) => {
    const user = store.userByEmail(c.get('session').user);
    if (!user) return fail(c, 401, 'unauthenticated', 'The token belongs to no CRM user.');
    return c.json({ data: userJson(store, user) });
  });

  app.get('/contacts', requireScope('contacts:read'), (c) => {
    const parsed = listQuerySchema.safeParse(c.req.query());
    if (!parsed.success) return validationFailed(c, fieldErrors(parsed.error));
    const query = parsed.data;
    const keyset = query.after_id !== undefined;
    if (keyset && (query.updated_after === undefined || query.sort_by !== 'updated_at' || query.sort_direction !== 'asc')) {
      return validationFailed(c, { after_id: ['needs updated_after with sort_by=updated_at and sort_direction=asc'] });
    }
    const after = query.updated_after === undefined ? null : Date.parse(query.updated_after);
    // An empty `email=` filters nothing, like a missing one.
    let contacts = query.email ? store.contactsWithEmail(query.email) : [...store.contacts.values()];
    if (after !== null) {
      contacts = contacts.filter((ct) => ct.updatedAt > after || (keyset && ct.updatedAt === after && compareIds(ct.id, query.after_id!) > 0));
    }
    const key = SORT_KEYS[query.sort_by];
    const sign = query.sort_direction === 'asc' ? 1 : -1;
    contacts.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return sign * ((x < y ? -1 : x > y ? 1 : 0) || compareIds(a.id, b.id));
    });

    const perPage = pageNumber(c.req.query('per_page'), DEFAULT_PER_PAGE, 100);
    const lastPage = Math.max(1, Math.ceil(contacts.length / perPage));
    const page = pageNumber(c.req.query('page'), 1);
    const next = new URL(c.req.url);
    next.searchParams.set('page', String(page + 1));
    return c.json({
      data: contacts.slice((page - 1) * perPage, page * perPage).map((ct) => contactJson(store, ct, origin(c))),
      meta: { current_page: page, per_page: perPage, total: contacts.length, last_page: lastPage },
      links: { next: page < lastPage ? next.toString() : null },
    });
  });

  app.post('/contacts', requireScope('contacts:write'), idempotent(deps.idempotency), async (c) => {
    const input = await readBody(c, contactCreateSchema);
    if (input instanceof Response) return input;
    const taken: FieldErrors = {};
    if (store.contactsWithEmail(input.email).length > 0) taken.email = ['has already been taken'];
    (input.additional_emails ?? []).forEach((email, i) => {
      if (store.contactsWithEmail(email).length > 0 || email.toLowerCase() === input.email.toLowerCase()) taken[`additional_emails.${i}`] = ['has already been taken'];
    });
    if (Object.keys(taken).length > 0) return validationFailed(c, taken);
    const contact = store.addContact(
      {
        name: input.name,
        primaryEmail: input.email,
        additionalEmails: input.additional_emails ?? [],
        companyId: input.company_name ? store.companyNamed(input.company_name).id : null,
      },
      Date.now(),
    );
    return c.json({ data: contactJson(store, contact, origin(c)) }, 201);
  });

  app.get('/contacts/:id', requireScope('contacts:read'), (c) => {
    const contact = store.contacts.get(c.req.param('id'));
    if (!contact) return fail(c, 404, 'not_found', 'No contact with this id.');
    return c.json({ data: contactJson(store, contact, origin(c)) });
  });

  return app;
}
