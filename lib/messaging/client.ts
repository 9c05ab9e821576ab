import { channel } from './channel';
import { envelopeSchema, type MessageInput, type MessageName, type MessageOutput, MessagingError, protocol } from './protocol';

/**
 * Sends one protocol message to the background and returns its validated answer. Throws a
 * `MessagingError` when the background refuses or fails it, or does not answer: its code, plain
 * message, fixing action and `retryable` are the background's (a provider's own for a
 * `ProviderError`), so the page can offer the fix.
 */
export async function sendToBackground<K extends MessageName>(name: K, input: MessageInput<K>): Promise<MessageOutput<K>> {
  // The wire is untyped on purpose (`channel.ts`); types are restored by the parse below.
  const send = channel.sendMessage as (type: MessageName, data: unknown) => Promise<unknown>;
  let answer: unknown;
  try {
    answer = await send(name, input);
  } catch (error) {
    throw MessagingError.of('no_answer', `The extension's background did not answer (${error instanceof Error ? error.message : String(error)}).`);
  }
  const envelope = envelopeSchema.safeParse(answer);
  if (!envelope.success) throw MessagingError.of('no_answer', "The extension's background did not answer.");
  if (!envelope.data.ok) throw new MessagingError(envelope.data.error);
  return protocol[name].output.parse(envelope.data.value) as MessageOutput<K>;
}
