import { defineExtensionMessaging } from '@webext-core/messaging';
import { z } from 'zod';
import type { Envelope, MessageName } from './protocol';

/**
 * The transport under the protocol. Pages send with `@webext-core/messaging`; every message
 * carries unvalidated data and answers with an envelope; the typed layer is `sendToBackground`
 * and `protocolListener`.
 */
type Wire = { [K in MessageName]: (data: unknown) => Envelope };

export const channel = defineExtensionMessaging<Wire>();

/**
 * A message as `@webext-core/messaging` puts it on `runtime.sendMessage` (`{id, type, data,
 * timestamp}`). The background reads it itself (`protocolListener`), so that no library code routes
 * a `type` before the protocol's own-key check.
 */
export const wireMessageSchema = z.object({ type: z.string(), data: z.unknown() });

/** The answer the library's `sendMessage` unwraps: `{res}` (it throws for `{err}`, which we never send). */
export function wireAnswer(envelope: Envelope): { res: Envelope } {
  return { res: envelope };
}
