import type { LiveMessage } from '../seed/policy';
import { categoryOf, folderOf } from '../../lib/providers/gmail/message';
import { labelIdsOf } from './labels';
import type { GmailStore } from './mail-store';

/**
 * Where a label mask puts a message, and its inbox tab: the product's own reading of Gmail labels
 * (`folderOf`, `categoryOf`), so the ground truth and the provider can never map a label apart.
 */
export function folderOfMask(mask: number): string | null {
  return folderOf(labelIdsOf(mask));
}

/** The inbox tab of a label mask, or null. */
export function categoryOfMask(mask: number): string | null {
  return categoryOf(labelIdsOf(mask));
}

/** Every message the Gmail mailboxes hold now, with the folder and tab its labels give it now. */
export function* gmailLiveMessages(store: GmailStore): Iterable<LiveMessage> {
  for (const state of store.all()) {
    for (const message of state.byId.values()) yield { content: message.content, folder: folderOfMask(message.mask), category: categoryOfMask(message.mask) };
  }
}
