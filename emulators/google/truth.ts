import type { LiveMessage } from '../seed/policy';
import { labelBit } from './labels';
import type { GmailStore } from './mail-store';

const bit = (id: string) => labelBit(id)!;

/** Box labels in the product's folder names, strongest first: spam and trash win over INBOX. */
const FOLDERS: [mask: number, folder: string][] = [
  [bit('SPAM'), 'spam'],
  [bit('TRASH'), 'trash'],
  [bit('DRAFT'), 'draft'],
  [bit('CHAT'), 'chat'],
  [bit('SENT'), 'sent'],
  [bit('INBOX'), 'inbox'],
];

/** Inbox tabs; Gmail calls the Primary tab CATEGORY_PERSONAL. */
const CATEGORIES: [mask: number, category: string][] = [
  [bit('CATEGORY_PERSONAL'), 'primary'],
  [bit('CATEGORY_PROMOTIONS'), 'promotions'],
  [bit('CATEGORY_SOCIAL'), 'social'],
  [bit('CATEGORY_UPDATES'), 'updates'],
  [bit('CATEGORY_FORUMS'), 'forums'],
];

/** Where a label mask puts a message: null for archived mail (no box label at all). */
export function folderOfMask(mask: number): string | null {
  return FOLDERS.find(([b]) => mask & b)?.[1] ?? null;
}

/** The inbox tab of a label mask, or null. */
export function categoryOfMask(mask: number): string | null {
  return CATEGORIES.find(([b]) => mask & b)?.[1] ?? null;
}

/** Every message the Gmail mailboxes hold now, with the folder and tab its labels give it now. */
export function* gmailLiveMessages(store: GmailStore): Iterable<LiveMessage> {
  for (const state of store.all()) {
    for (const message of state.byId.values()) yield { content: message.content, folder: folderOfMask(message.mask), category: categoryOfMask(message.mask) };
  }
}
