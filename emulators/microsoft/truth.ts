import { productFolderName } from '../../lib/providers/outlook/folder-names';
import type { LiveMessage } from '../seed/policy';
import { folderChain, type MailStore } from './mail-store';

/**
 * Every message the Outlook mailboxes hold now, in the folder it sits in now, named the way the
 * Outlook provider names it (`productFolderName`): a well-known name, or a user folder's id.
 */
export function* outlookLiveMessages(store: MailStore): Iterable<LiveMessage> {
  for (const state of store.all()) {
    const names = new Map<string, string>();
    for (const message of state.messages.values()) {
      let folder = names.get(message.folder.id);
      if (folder === undefined) names.set(message.folder.id, (folder = productFolderName(folderChain(state, message.folder))));
      yield { content: message.content, folder, category: null };
    }
  }
}
