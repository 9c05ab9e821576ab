import type { LiveMessage } from '../seed/policy';
import type { MailStore } from './mail-store';

/** Every message the Outlook mailboxes hold now, in the folder it sits in now (Graph's well-known name). */
export function* outlookLiveMessages(store: MailStore): Iterable<LiveMessage> {
  for (const state of store.all()) {
    for (const message of state.messages.values()) yield { content: message.content, folder: message.folder, category: null };
  }
}
