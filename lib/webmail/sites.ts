/**
 * The webmail pages the sidebar runs on (R26). The content scripts use these lists, and the
 * background accepts messages from a tab only when its URL matches one of them.
 */
export const GMAIL_MATCHES = ['https://mail.google.com/*'];
export const OUTLOOK_MATCHES = [
  'https://outlook.office.com/*',
  'https://outlook.office365.com/*',
  'https://outlook.live.com/*',
];
export const WEBMAIL_MATCHES = [...GMAIL_MATCHES, ...OUTLOOK_MATCHES];
