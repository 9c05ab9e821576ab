export { classifyGmailError } from './errors';
export { type GmailProviderOptions, createGmailProvider } from './provider';
export { GMAIL_COSTS, GMAIL_UNITS_PER_SECOND, gmailLimiter } from './quota';
