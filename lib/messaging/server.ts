import { channel } from './channel';
import { dispatch, type Handlers, type Trust } from './dispatch';
import { type MessageName, protocol } from './protocol';

/** Registers a handler for every message of the protocol, each behind `dispatch`'s checks. */
export function serveProtocol(handlers: Handlers, trust: Trust): void {
  for (const name of Object.keys(protocol) as MessageName[]) {
    channel.onMessage(name, ({ data, sender }) => dispatch(name, data, sender, handlers, trust));
  }
}
