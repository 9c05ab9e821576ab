import { channel } from './channel';
import { envelopeSchema, type MessageInput, type MessageName, type MessageOutput, MessagingError, protocol } from './protocol';

/**
 * Sends one protocol message to the background and returns its validated answer. Throws
 * `MessagingError` when the background refuses or fails it, with a message fit for the user.
 */
export async function sendToBackground<K extends MessageName>(name: K, input: MessageInput<K>): Promise<MessageOutput<K>> {
  // The wire is untyped on purpose (`channel.ts`); types are restored by the parse below.
  const send = channel.sendMessage as (type: MessageName, data: unknown) => Promise<unknown>;
  const envelope = envelopeSchema.parse(await send(name, input));
  if (!envelope.ok) throw new MessagingError(envelope.error.code, envelope.error.message);
  return protocol[name].output.parse(envelope.value) as MessageOutput<K>;
}
