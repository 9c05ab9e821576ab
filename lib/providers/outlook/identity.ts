import { z } from 'zod';
import { ProviderError, providerError } from '../../domain';
import { normaliseAddress } from '../../matching/address';
import type { MailboxIdentity } from '../mail-provider';
import type { GraphApi } from './graph-api';
import { type GraphMailboxSettings, type GraphUser, graphUserSchema, mailboxSettingsSchema } from './graph-json';

/** The Outlook identity: R7's fields, plus Exchange's mailbox purpose ("user", "shared", …) for R6. */
export interface OutlookIdentity extends MailboxIdentity {
  purpose: string | null;
}

const USER_FIELDS = ['displayName', 'mail', 'userPrincipalName'];
const isEmail = (value: string) => z.email().safeParse(value).success;

/**
 * R7 from Graph's answers.
 * - Address: `mail`, else `userPrincipalName` (personal Microsoft accounts may leave `mail` null).
 * - Aliases: the `smtp:` entries of `proxyAddresses` (Exchange writes the primary as `SMTP:`). It is
 *   a directory property: it comes only through `$select`, is absent for personal accounts, and
 *   some tenants refuse it to a delegated `User.Read` token; then there are no aliases, and
 *   direction falls back to the Sent Items folder.
 * - Reply-to: Graph has no mailbox-level reply-to (neither `user` nor `mailboxSettings` carries
 *   one; Outlook sets it per message), so it is null and the user confirms the address (R7).
 */
export function identityFromGraph(user: GraphUser, settings: GraphMailboxSettings): OutlookIdentity {
  const address = (user.mail || user.userPrincipalName || '').trim();
  if (!isEmail(address)) throw providerError('bad_response', 'outlook', { detail: 'Graph gave no mail address for this account.' });
  const own = normaliseAddress(address);
  const aliases: string[] = [];
  for (const entry of user.proxyAddresses ?? []) {
    const match = /^smtp:(.+)$/i.exec(entry.trim());
    const alias = match?.[1]?.trim();
    if (!alias || !isEmail(alias)) continue;
    const key = normaliseAddress(alias);
    if (key !== own && !aliases.some((a) => normaliseAddress(a) === key)) aliases.push(alias);
  }
  const purpose = typeof settings.userPurpose === 'object' ? (settings.userPurpose?.value ?? null) : (settings.userPurpose ?? null);
  return { address, displayName: user.displayName?.trim() || address, replyTo: null, aliases, purpose };
}

/**
 * `GET /me` (with `proxyAddresses` when the tenant lets us read it) and `GET /me/mailboxSettings`.
 * No signal: the provider shares one read among its callers (`sharedOnce`).
 */
export async function readIdentity(api: GraphApi): Promise<OutlookIdentity> {
  const me = (fields: string[]) => api.json((c) => c.api('/me').select(fields), graphUserSchema);
  const [user, settings] = await Promise.all([
    me([...USER_FIELDS, 'proxyAddresses']).catch((error: unknown) => {
      if (error instanceof ProviderError && error.code === 'insufficient_permissions') return me(USER_FIELDS);
      throw error;
    }),
    api.json((c) => c.api('/me/mailboxSettings'), mailboxSettingsSchema),
  ]);
  return identityFromGraph(user, settings);
}
