import { Hono } from 'hono';
import type { MailboxState } from './mail-store';
import { type GraphEnv, graphFail, graphJson, openMailbox, origin, SCOPES } from './graph-context';
import { parseSelect } from './odata';

/** Graph's `user` properties; the select-only ones come only when `$select` names them. */
function userFields(state: MailboxState): { defaults: Record<string, unknown>; selectOnly: Record<string, unknown> } {
  const { mailbox } = state;
  const [given, ...rest] = mailbox.displayName.split(' ');
  return {
    defaults: {
      businessPhones: [],
      displayName: mailbox.displayName,
      givenName: given ?? null,
      jobTitle: null,
      mail: mailbox.address,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: 'en-US',
      surname: rest.join(' ') || null,
      userPrincipalName: mailbox.address,
      id: state.userId,
    },
    selectOnly: {
      // Exchange lists the primary address as "SMTP:" and the other addresses as "smtp:".
      proxyAddresses: [`SMTP:${mailbox.address}`, ...mailbox.aliases.map((alias) => `smtp:${alias}`)],
      otherMails: [],
      mailNickname: mailbox.address.split('@')[0],
      accountEnabled: true,
    },
  };
}

/** `GET /me` and `GET /me/mailboxSettings`. */
export function userRoutes(): Hono<GraphEnv> {
  const app = new Hono<GraphEnv>();

  app.get('/me', (c) => {
    const state = openMailbox(c, SCOPES.user);
    if (state instanceof Response) return state;
    const { defaults, selectOnly } = userFields(state);
    const select = parseSelect(c.req.query('$select'));
    const base = `${origin(c)}/v1.0/$metadata#users`;
    if (!select) return graphJson(c, { '@odata.context': `${base}/$entity`, ...defaults });
    const all: Record<string, unknown> = { ...defaults, ...selectOnly };
    const body: Record<string, unknown> = { '@odata.context': `${base}(${select.join(',')})/$entity` };
    for (const name of select) {
      const key = Object.keys(all).find((k) => k.toLowerCase() === name.toLowerCase());
      if (!key) return graphFail(c, 400, 'Request_BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.user'.`);
      body[key] = all[key];
    }
    return graphJson(c, body);
  });

  app.get('/me/mailboxSettings', (c) => {
    const state = openMailbox(c, SCOPES.settings);
    if (state instanceof Response) return state;
    const { mailbox } = state;
    return graphJson(c, {
      '@odata.context': `${origin(c)}/v1.0/$metadata#users('${state.userId}')/mailboxSettings`,
      archiveFolder: state.rootFolderId,
      timeZone: mailbox.timeZone,
      delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
      dateFormat: 'dd.MM.yyyy',
      timeFormat: 'HH:mm',
      // v1.0 returns the purpose as a plain string: "user", "shared", "room", ...
      userPurpose: mailbox.kind === 'shared' ? 'shared' : 'user',
      automaticRepliesSetting: {
        status: 'disabled',
        externalAudience: 'all',
        internalReplyMessage: '',
        externalReplyMessage: '',
        scheduledStartDateTime: { dateTime: '2024-01-01T00:00:00.0000000', timeZone: 'UTC' },
        scheduledEndDateTime: { dateTime: '2024-01-02T00:00:00.0000000', timeZone: 'UTC' },
      },
      language: { locale: 'en-US', displayName: 'English (United States)' },
      workingHours: {
        daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        startTime: '08:00:00.0000000',
        endTime: '17:00:00.0000000',
        timeZone: { name: mailbox.timeZone },
      },
    });
  });

  return app;
}
