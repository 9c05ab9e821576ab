import type { Message } from '../../domain';
import type { FolderChoice, FolderScope } from '../mail-provider';
import { type GmailApi, userPath } from './gmail-api';
import { labelListSchema } from './gmail-json';
import { GMAIL_COSTS } from './quota';

/**
 * The system labels a user may restrict sync to, with the names Gmail's web client shows. SPAM,
 * TRASH, DRAFT and CHAT are never offered (never pushed, R21), nor UNREAD (a state, not a place).
 */
const CHOOSABLE_SYSTEM: Record<string, string> = {
  INBOX: 'Inbox',
  SENT: 'Sent',
  IMPORTANT: 'Important',
  STARRED: 'Starred',
  CATEGORY_PERSONAL: 'Primary',
  CATEGORY_SOCIAL: 'Social',
  CATEGORY_PROMOTIONS: 'Promotions',
  CATEGORY_UPDATES: 'Updates',
  CATEGORY_FORUMS: 'Forums',
};

/**
 * The labels a user may choose for `only` (`users.labels.list`): the choosable system labels and
 * every user label, by id; a user label's name is Gmail's (nested labels read `Parent/Child`).
 */
export async function listLabelChoices(api: GmailApi, signal?: AbortSignal): Promise<FolderChoice[]> {
  const { labels } = await api.get(userPath('labels'), GMAIL_COSTS.labelsList, labelListSchema, undefined, signal);
  const choices: FolderChoice[] = [];
  for (const label of labels) {
    if (label.type === 'user') choices.push({ id: label.id, name: label.name ?? label.id, kind: 'user' });
    else if (CHOOSABLE_SYSTEM[label.id]) choices.push({ id: label.id, name: CHOOSABLE_SYSTEM[label.id]!, kind: 'system' });
  }
  return choices;
}

/** True when sync is not restricted, or the message carries one of the chosen labels. */
export function carriesChosen(message: Pick<Message, 'labels'>, only: FolderScope): boolean {
  return only === null || message.labels.some((label) => only.includes(label));
}

/** The search term for a system label, as Gmail's search operators name it. */
const SYSTEM_TERMS: Record<string, string> = {
  INBOX: 'in:inbox',
  SENT: 'in:sent',
  IMPORTANT: 'is:important',
  STARRED: 'is:starred',
  CATEGORY_PERSONAL: 'category:primary',
  CATEGORY_SOCIAL: 'category:social',
  CATEGORY_PROMOTIONS: 'category:promotions',
  CATEGORY_UPDATES: 'category:updates',
  CATEGORY_FORUMS: 'category:forums',
};

/**
 * The `q` group for `only`: `{in:inbox label:"Customers/Acme"}`, Gmail's OR of label terms (its
 * search operators document `{ }` as OR); a user label by its name, which is what `label:` takes.
 * Choices the mailbox no longer offers are left out; null when none is left (nothing is in
 * scope). A quote in a label name cannot be written inside the quotes, so it is dropped: such a
 * label may list less, and what a term lists beyond the chosen labels is filtered out on read.
 */
export function scopeQuery(only: readonly string[], choices: readonly FolderChoice[]): string | null {
  const terms = choices
    .filter((choice) => only.includes(choice.id))
    .map((choice) => SYSTEM_TERMS[choice.id] ?? `label:"${choice.name.replace(/"/g, '')}"`);
  return terms.length === 0 ? null : `{${terms.join(' ')}}`;
}
