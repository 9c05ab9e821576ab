import type { MailboxIdentity } from '../mail-provider';
import { type GmailApi, userPath } from './gmail-api';
import { profileSchema, type SendAsList, sendAsListSchema } from './gmail-json';
import { GMAIL_COSTS } from './quota';

/**
 * The identity from `users.settings.sendAs` (R7): the primary send-as entry gives the display name
 * and reply-to (an empty `replyToAddress` means none); the other entries Gmail has verified
 * (`verificationStatus: accepted`) are the aliases. A pending alias cannot send yet, so mail from
 * it is not the rep's own.
 */
export function identityFromSendAs(address: string, list: SendAsList): MailboxIdentity {
  const own = address.toLowerCase();
  const primary = list.sendAs.find((s) => s.isPrimary) ?? list.sendAs.find((s) => s.sendAsEmail.toLowerCase() === own);
  const fallback = list.sendAs.find((s) => s.isDefault);
  const replyTo = primary?.replyToAddress?.trim();
  const aliases = list.sendAs
    .filter((s) => s !== primary && s.sendAsEmail.toLowerCase() !== own && s.verificationStatus === 'accepted')
    .map((s) => s.sendAsEmail);
  return {
    address,
    displayName: primary?.displayName || fallback?.displayName || '',
    replyTo: replyTo ? replyTo : null,
    aliases: [...new Set(aliases)],
  };
}

/** `users.getProfile` (1 unit): the address, and the history id that stands for "now". */
export function readProfile(api: GmailApi, signal?: AbortSignal) {
  return api.get(userPath('profile'), GMAIL_COSTS.getProfile, profileSchema, undefined, signal);
}

/**
 * Reads the profile (the address) and the send-as list: 2 quota units. No signal: the provider
 * shares one read among its callers (`sharedOnce`).
 */
export async function readIdentity(api: GmailApi): Promise<MailboxIdentity> {
  const [profile, sendAs] = await Promise.all([readProfile(api), api.get(userPath('settings/sendAs'), GMAIL_COSTS.sendAsList, sendAsListSchema)]);
  return identityFromSendAs(profile.emailAddress, sendAs);
}
