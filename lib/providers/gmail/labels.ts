import type { FolderChoice } from '../mail-provider';
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
