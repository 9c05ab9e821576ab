import { Hono } from 'hono';
import { type CrmDeps, type CrmEnv, readBody, requireScope } from './api-context';
import { fail } from './errors';
import { idempotent } from './idempotency';
import { emailBatchSchema } from './schemas';
import { emailJson } from './wire';

const DEFAULT_TIMELINE = 20;

/** Emails: the batch upsert by Message-ID, delete or unlink, and a contact's timeline. */
export function emailRoutes(deps: CrmDeps): Hono<CrmEnv> {
  const app = new Hono<CrmEnv>();
  const { store } = deps;

  app.post('/emails/batch', requireScope('emails:write'), idempotent(deps.idempotency), async (c) => {
    const input = await readBody(c, emailBatchSchema);
    if (input instanceof Response) return input;
    const now = Date.now();
    const results = input.emails.map((item) => {
      const outcome = store.upsertEmail(item, now);
      if (outcome.status !== 'error') return { message_id: item.message_id, status: outcome.status, email_id: outcome.email.id };
      return {
        message_id: item.message_id,
        status: 'error' as const,
        error: { code: 'unknown_contact', message: `No contact with id ${outcome.unknownContacts.join(', ')}.`, details: { contact_ids: outcome.unknownContacts } },
      };
    });
    return c.json({ results });
  });

  app.delete('/emails/:id', requireScope('emails:write'), idempotent(deps.idempotency), (c) => {
    const contactId = c.req.query('contact_id');
    if (!store.deleteEmail(c.req.param('id'), contactId)) {
      return fail(c, 404, 'not_found', contactId === undefined ? 'No email with this id.' : 'No email with this id linked to this contact.');
    }
    return c.body(null, 204);
  });

  app.get('/contacts/:id/emails', requireScope('emails:read'), (c) => {
    const id = c.req.param('id');
    if (!store.contacts.has(id)) return fail(c, 404, 'not_found', 'No contact with this id.');
    const raw = Number(c.req.query('limit'));
    const limit = Number.isInteger(raw) && raw >= 1 ? Math.min(raw, 100) : DEFAULT_TIMELINE;
    return c.json({ data: store.timeline(id, limit).map(emailJson) });
  });

  return app;
}
