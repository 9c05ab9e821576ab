import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../core/context';
import type { CrmDeps } from './api-context';
import { CRM_SCOPES } from './auth';
import { contactJson, mailboxJson } from './wire';

const tokenSchema = z.object({ user: z.string().optional(), scopes: z.array(z.enum(CRM_SCOPES)).optional() }).strict();

const contactSchema = z
  .object({
    /** Absent: create. */
    id: z.string().optional(),
    name: z.string().min(1).optional(),
    email: z.string().min(3).optional(),
    additional_emails: z.array(z.string().min(3)).optional(),
    company_name: z.string().min(1).nullable().optional(),
    /** Forces `updated_at` (ties for mirror tests); otherwise now. */
    updated_at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

const slowWriteSchema = z
  .object({
    method: z.string().optional(),
    /** A regular expression tested against the path, e.g. `^/public/v1/emails/batch$`. */
    path: z.string().min(1),
    delayMs: z.number().int().positive(),
    drop: z.boolean().optional(),
    count: z.number().int().positive().optional(),
  })
  .strict();

const json = (c: { req: { json(): Promise<unknown> } }) => c.req.json().catch(() => null);

/**
 * `/__admin/crm/…`: read back what the CRM received (emails, writes, mailbox records), change contacts behind the
 * extension's back, take the CRM down, make writes slow, and mint personal access tokens.
 */
export function crmAdmin(deps: CrmDeps): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();
  const { store } = deps;

  admin.post('/tokens', async (c) => {
    const input = tokenSchema.safeParse(await json(c));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const user = input.data.user ? store.userByEmail(input.data.user) : store.users[0];
    if (!user) return c.json({ error: `No CRM user ${input.data.user ?? ''}` }, 404);
    const scope = (input.data.scopes ?? CRM_SCOPES).join(' ');
    return c.json({ token: deps.auth.issuePat(user.email, scope), user: user.email, scope });
  });

  /** Stored emails with the fields exactly as received, and items applied per Message-ID. */
  admin.get('/emails', (c) =>
    c.json({
      emails: [...store.emails.values()].map((e) => ({ id: e.id, message_id: e.fields.message_id, contact_ids: e.contactIds, fields: e.fields, writes: store.pushes.get(e.fields.message_id) ?? 0 })),
      writes_by_message_id: Object.fromEntries(store.pushes),
    }),
  );

  admin.get('/writes', (c) => c.json({ writes: deps.idempotency.writes }));

  /** The mailbox records as the extension last wrote them (`PUT /mailboxes/{address}`), as the API shows them. */
  admin.get('/mailboxes', (c) => c.json({ mailboxes: [...store.mailboxes.values()].map(mailboxJson) }));

  admin.post('/contacts', async (c) => {
    const input = contactSchema.safeParse(await json(c));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    const { id, name, email, additional_emails, company_name, updated_at } = input.data;
    const at = updated_at ? Date.parse(updated_at) : Date.now();
    const companyId = company_name === undefined ? undefined : company_name === null ? null : store.companyNamed(company_name).id;
    let contact = id ? store.contacts.get(id) : undefined;
    if (id && !contact) return c.json({ error: `No contact ${id}` }, 404);
    if (!contact) {
      if (!name || !email) return c.json({ error: 'name and email are required to create a contact' }, 400);
      contact = store.addContact({ name, primaryEmail: email, additionalEmails: additional_emails ?? [], companyId: companyId ?? null }, at);
    }
    Object.assign(contact, {
      ...(name !== undefined && { name }),
      ...(email !== undefined && { primaryEmail: email }),
      ...(additional_emails !== undefined && { additionalEmails: additional_emails }),
      ...(companyId !== undefined && { companyId }),
      updatedAt: at,
    });
    return c.json({ data: contactJson(store, contact, new URL(c.req.url).origin) });
  });

  /** The next matching writes take `delayMs` to process; with `drop`, the client's connection is closed meanwhile. */
  admin.post('/slow-writes', async (c) => {
    const input = slowWriteSchema.safeParse(await json(c));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    deps.idempotency.addSlowWrite(input.data);
    return c.body(null, 204);
  });

  admin.post('/down', async (c) => {
    const input = z.object({ down: z.boolean() }).strict().safeParse(await json(c));
    if (!input.success) return c.json({ error: z.prettifyError(input.error) }, 400);
    deps.outage.down = input.data.down;
    return c.json({ down: deps.outage.down });
  });

  return admin;
}
