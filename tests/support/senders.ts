import type { Sender, Trust } from '@/lib/messaging';
import { WEBMAIL_MATCHES } from '@/lib/webmail/sites';

/** The background's trust as the pinned extension id gives it (README, "Extension id and OAuth redirect URLs"). */
export const trust: Trust = { extensionId: 'caciholiefihaajpdhopelakjjeojlim', extensionOrigin: 'chrome-extension://caciholiefihaajpdhopelakjjeojlim', contentScriptMatches: WEBMAIL_MATCHES };
/** The Gmail content script, in the top frame of a thread. */
export const gmailTab: Sender = { id: trust.extensionId, url: 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQ', tab: { id: 7 }, frameId: 0 };
/** The options page, an extension page. */
export const optionsPage: Sender = { id: trust.extensionId, url: `${trust.extensionOrigin}/options.html` };
/** The sidebar: the extension's page in an iframe of the Gmail tab (not its top frame). */
export const sidebarFrame: Sender = { id: trust.extensionId, url: `${trust.extensionOrigin}/sidebar.html`, tab: { id: 7 }, frameId: 3 };
