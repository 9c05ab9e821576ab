import { wireAnswer, wireMessageSchema } from './channel';
import { dispatch, type Handlers, type Sender, type Trust } from './dispatch';
import { isMessageOf, protocol } from './protocol';

/**
 * The background's `runtime.onMessage` listener for the protocol (the background registers it
 * with `onRuntimeMessage`): every message goes through `dispatch`'s checks. A message that is not
 * the wire's shape, or whose `type` is not an own key of the protocol (`constructor`,
 * `__proto__`, `toString`…), is dropped unanswered (null) before anything looks it up.
 */
export function protocolListener(handlers: Handlers, trust: Trust): (message: unknown, sender: Sender) => Promise<unknown> | null {
  return (message, sender) => {
    const parsed = wireMessageSchema.safeParse(message);
    if (!parsed.success || !isMessageOf(protocol, parsed.data.type)) return null;
    return dispatch(protocol, parsed.data.type, parsed.data.data, sender, handlers, trust).then(wireAnswer);
  };
}
