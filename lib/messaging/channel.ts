import { defineExtensionMessaging } from '@webext-core/messaging';
import type { Envelope, MessageName } from './protocol';

/**
 * The transport under the protocol. Every message carries unvalidated data and answers with an
 * envelope; the typed layer is `sendToBackground` and `serveProtocol`.
 */
type Wire = { [K in MessageName]: (data: unknown) => Envelope };

export const channel = defineExtensionMessaging<Wire>();
