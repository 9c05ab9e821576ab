/**
 * The sidebar channel's constants, apart from `channel.ts` so the content script, which must stay
 * small, gets them without zod. `channel.ts` checks messages against the same limits.
 */

/** The port name prefix; the rest of the name is the frame's secret. */
export const SIDEBAR_PORT_PREFIX = 'mailbox-crm-sidebar:';

/** The largest page-read values a `state` message carries (the page is untrusted input). */
export const CHANNEL_LIMITS = {
  threadKey: 512,
  subject: 2000,
  participants: 200,
  name: 300,
  address: 320,
  missing: 50,
  missingName: 200,
} as const;
