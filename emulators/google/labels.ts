import type { Box, Category, SeedMessage } from '../seed/types';

/**
 * Gmail's system labels. A message's labels are a bit mask (one bit per label), so list filters
 * test a message in one step and label arrays are shared between messages with the same set.
 */
const SYSTEM_LABELS = [
  'INBOX',
  'SENT',
  'SPAM',
  'TRASH',
  'DRAFT',
  'CHAT',
  'UNREAD',
  'STARRED',
  'IMPORTANT',
  'CATEGORY_PERSONAL',
  'CATEGORY_SOCIAL',
  'CATEGORY_PROMOTIONS',
  'CATEGORY_UPDATES',
  'CATEGORY_FORUMS',
] as const;
export type LabelId = (typeof SYSTEM_LABELS)[number];

/**
 * User labels, as Gmail names them (`Label_<n>`). Each has a bit above the system labels, so a
 * world holds at most this many (labels made through the admin API; the seed makes none). The
 * mask stays a 31-bit integer, so bit operations keep working.
 */
export const USER_LABEL_IDS = Array.from({ length: 16 }, (_, i) => `Label_${i + 1}`);

const BIT = new Map<string, number>([...SYSTEM_LABELS, ...USER_LABEL_IDS].map((id, i) => [id, 1 << i]));

/** The bit of a label id, or undefined for a label no mailbox can have. */
export function labelBit(id: string): number | undefined {
  return BIT.get(id);
}

export function maskOf(ids: readonly string[]): number {
  let mask = 0;
  for (const id of ids) mask |= BIT.get(id) ?? 0;
  return mask;
}

/** Gmail lists UNREAD and the category before the box label; keep that order. */
const LIST_ORDER: string[] = ['UNREAD', 'STARRED', 'IMPORTANT', ...SYSTEM_LABELS.filter((id) => id.startsWith('CATEGORY_')), 'INBOX', 'SENT', 'SPAM', 'TRASH', 'DRAFT', 'CHAT', ...USER_LABEL_IDS];
const arrays = new Map<number, readonly string[]>();

/** The label ids of a mask, as one shared frozen array per mask. */
export function labelIdsOf(mask: number): readonly string[] {
  let ids = arrays.get(mask);
  if (!ids) {
    ids = Object.freeze(LIST_ORDER.filter((id) => mask & BIT.get(id)!));
    arrays.set(mask, ids);
  }
  return ids;
}

export const SPAM_OR_TRASH = maskOf(['SPAM', 'TRASH']);

const BOX_LABEL: Record<Box, LabelId> = { inbox: 'INBOX', sent: 'SENT', spam: 'SPAM', trash: 'TRASH', draft: 'DRAFT', chat: 'CHAT' };
const CATEGORY_LABEL: Record<Category, LabelId> = {
  primary: 'CATEGORY_PERSONAL',
  social: 'CATEGORY_SOCIAL',
  promotions: 'CATEGORY_PROMOTIONS',
  updates: 'CATEGORY_UPDATES',
  forums: 'CATEGORY_FORUMS',
};

/** The labels Gmail shows for a seeded message: its box, its inbox tab, and UNREAD. */
export function seedMask(message: Pick<SeedMessage, 'box' | 'category' | 'unread'>): number {
  let mask = BIT.get(BOX_LABEL[message.box])!;
  if (message.category) mask |= BIT.get(CATEGORY_LABEL[message.category])!;
  if (message.unread) mask |= BIT.get('UNREAD')!;
  return mask;
}

/**
 * How Gmail search reads a label name in `label:`: case does not matter, and spaces, slashes and
 * hyphens are the same (`label:key-accounts` finds "Key Accounts", `label:customers-acme` the
 * nested "Customers/Acme").
 */
export const searchableLabelName = (name: string) => name.toLowerCase().replace(/[\s/-]+/g, '-');

/**
 * `labels.list`: system labels as Gmail lists them (visibility only where Gmail gives it), then
 * the mailbox's user labels (id → name).
 */
export function labelResources(userLabels: ReadonlyMap<string, string>): Record<string, string>[] {
  const shown = (id: string, name: string, list: 'labelShow' | 'labelHide' | 'labelShowIfUnread' = 'labelShow') => ({
    id,
    name,
    messageListVisibility: 'hide',
    labelListVisibility: list,
    type: 'system',
  });
  const bare = (id: string) => ({ id, name: id, type: 'system' });
  return [
    bare('CHAT'),
    shown('SENT', 'SENT'),
    shown('INBOX', 'INBOX'),
    shown('IMPORTANT', 'IMPORTANT'),
    shown('TRASH', 'TRASH', 'labelHide'),
    shown('DRAFT', 'DRAFT'),
    shown('SPAM', 'SPAM', 'labelHide'),
    bare('CATEGORY_FORUMS'),
    bare('CATEGORY_UPDATES'),
    bare('CATEGORY_PERSONAL'),
    bare('CATEGORY_PROMOTIONS'),
    bare('CATEGORY_SOCIAL'),
    shown('STARRED', 'STARRED'),
    bare('UNREAD'),
    ...[...userLabels].map(([id, name]) => ({ id, name, messageListVisibility: 'show', labelListVisibility: 'labelShow', type: 'user' })),
  ];
}
