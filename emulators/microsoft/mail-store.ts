import { randomBytes } from 'node:crypto';
import { partitionPoint } from '../core/partition';
import type { Box, SeedMailbox, SeedMessage, World } from '../seed/types';
import { FOLDER_DISPLAY_NAMES, FOLDER_NAMES, type FolderName, folderId, newMessageId, restMessageId, stableGuid } from './ids';

/** One message as Exchange holds it: the seed's content plus the state Graph exposes. */
export interface StoredMessage {
  id: string;
  content: SeedMessage;
  bodyType: 'text' | 'html';
  folder: FolderName;
  isRead: boolean;
  isDraft: boolean;
  createdAt: number;
  modifiedAt: number;
  version: number;
  /** The mailbox change sequence at which it entered its current folder (delta ordering). */
  entrySeq: number;
}

/** What delta reports: a message that appeared in (or changed in) a folder, or left it. */
export interface ChangeEvent {
  seq: number;
  /** The immutable id. */
  id: string;
  /** The default id the message had in this folder (what `@removed` names without immutable ids). */
  restId: string;
  kind: 'upsert' | 'removed';
}

export interface FolderState {
  name: FolderName;
  id: string;
  displayName: string;
  /** Ordered by `entrySeq`: the initial delta round pages through this. */
  byEntry: StoredMessage[];
  /** Ordered by received time (then `entrySeq`): plain lists and `$filter` use this. */
  byReceived: StoredMessage[];
  /** Ordered by `seq`. */
  log: ChangeEvent[];
}

export interface MailboxState {
  mailbox: SeedMailbox;
  userId: string;
  rootFolderId: string;
  folders: Map<FolderName, FolderState>;
  folderById: Map<string, FolderState>;
  /** By immutable id. */
  messages: Map<string, StoredMessage>;
  /** By the default id of the message where it is now; the id of a folder it left is unknown. */
  byRestId: Map<string, StoredMessage>;
  /** Last change sequence number handed out in this mailbox. */
  seq: number;
  /** Bumped by `expire('delta')`: every delta or skip token of an older generation is gone. */
  deltaGeneration: number;
}

const BOX_FOLDER: Partial<Record<Box, FolderName>> = {
  inbox: 'inbox',
  sent: 'sentitems',
  spam: 'junkemail',
  trash: 'deleteditems',
  draft: 'drafts',
};

/** A folder by well-known name (any case) or by id. */
export function findFolder(state: MailboxState, nameOrId: string): FolderState | undefined {
  return state.folders.get(nameOrId.toLowerCase() as FolderName) ?? state.folderById.get(nameOrId);
}

/** The message's default id where it is now (see `restMessageId`). */
export const restId = (m: StoredMessage) => restMessageId(m.id, m.folder, m.entrySeq);

/** Seconds are Graph's resolution: compare times the way they are printed. */
export const receivedKey = (m: StoredMessage) => Math.floor(m.content.internalDate / 1000) * 1000;

/** First index in `items` whose key is >= `value` (`items` sorted ascending by `key`). */
export function lowerBound<T>(items: T[], value: number, key: (item: T) => number): number {
  return partitionPoint(items, (item) => key(item) < value);
}

const receivedOrder = (a: StoredMessage, b: StoredMessage) => a.content.internalDate - b.content.internalDate || a.entrySeq - b.entrySeq;

/**
 * The Outlook mailboxes of the world, indexed once per reset: per folder, messages by entry and
 * by received time, and a change log for delta. Seeded messages are referenced, not copied.
 */
export class MailStore {
  private mailboxes = new Map<string, MailboxState>();
  private byAddress = new Map<string, MailboxState>();
  /** Changes with every reset, so tokens from an earlier world are unknown. */
  epoch = '';

  reset(world: World): void {
    this.mailboxes.clear();
    this.byAddress.clear();
    this.epoch = randomBytes(4).toString('hex');
    for (const mailbox of world.mailboxes) {
      if (mailbox.provider !== 'outlook') continue;
      const state = this.createMailbox(mailbox);
      this.mailboxes.set(mailbox.id, state);
      for (const address of [mailbox.address, ...mailbox.aliases]) this.byAddress.set(address.toLowerCase(), state);
    }
    // World messages are sorted by mailbox then date, so every folder list comes out sorted.
    for (const content of world.messages) {
      const state = this.mailboxes.get(content.mailboxId);
      const folder = BOX_FOLDER[content.box];
      if (!state || !folder) continue;
      const message: StoredMessage = {
        id: content.providerId,
        content,
        bodyType: 'text',
        folder,
        isRead: !content.unread,
        isDraft: content.box === 'draft',
        createdAt: content.internalDate,
        modifiedAt: content.internalDate,
        version: 1,
        entrySeq: ++state.seq,
      };
      state.messages.set(message.id, message);
      state.byRestId.set(restId(message), message);
      const folderState = state.folders.get(folder)!;
      folderState.byEntry.push(message);
      folderState.byReceived.push(message);
    }
  }

  private createMailbox(mailbox: SeedMailbox): MailboxState {
    const folders = new Map<FolderName, FolderState>();
    const folderById = new Map<string, FolderState>();
    for (const name of FOLDER_NAMES) {
      const folder: FolderState = { name, id: folderId(mailbox.id, name), displayName: FOLDER_DISPLAY_NAMES[name], byEntry: [], byReceived: [], log: [] };
      folders.set(name, folder);
      folderById.set(folder.id, folder);
    }
    return {
      mailbox,
      userId: stableGuid(`user:${mailbox.address}`),
      rootFolderId: folderId(mailbox.id, 'msgfolderroot'),
      folders,
      folderById,
      messages: new Map(),
      byRestId: new Map(),
      seq: 0,
      deltaGeneration: 0,
    };
  }

  /** The Outlook mailbox with this primary address or alias (any case). */
  mailboxByAddress(address: string): MailboxState | undefined {
    return this.byAddress.get(address.toLowerCase());
  }

  all(): MailboxState[] {
    return [...this.mailboxes.values()];
  }

  /** Adds a new message (delivered, sent or copied) to a folder; delta reports it. */
  add(state: MailboxState, content: Omit<SeedMessage, 'providerId' | 'mailboxId'>, folder: FolderName, options: { isRead: boolean; bodyType: 'text' | 'html' }): StoredMessage {
    const now = Date.now();
    const message: StoredMessage = {
      id: newMessageId(),
      content: { ...content, mailboxId: state.mailbox.id, providerId: '' },
      bodyType: options.bodyType,
      folder,
      isRead: options.isRead,
      isDraft: folder === 'drafts',
      createdAt: now,
      modifiedAt: now,
      version: 1,
      entrySeq: 0,
    };
    message.content.providerId = message.id;
    state.messages.set(message.id, message);
    this.enter(state, message, folder);
    return message;
  }

  /**
   * Moves a message to another folder: `@removed` in the old folder's delta, new in the other. It
   * keeps its immutable id and gets a new default id.
   */
  move(state: MailboxState, message: StoredMessage, target: FolderName): void {
    if (message.folder === target) return;
    this.leave(state, message);
    message.version++;
    message.modifiedAt = Date.now();
    this.enter(state, message, target);
  }

  /** Deletes a message for good (purged, not moved to Deleted Items): `@removed` in its folder's delta. */
  delete(state: MailboxState, message: StoredMessage): void {
    this.leave(state, message);
    state.messages.delete(message.id);
  }

  private leave(state: MailboxState, message: StoredMessage): void {
    const source = state.folders.get(message.folder)!;
    remove(source.byEntry, message);
    remove(source.byReceived, message);
    const old = restId(message);
    state.byRestId.delete(old);
    source.log.push({ seq: ++state.seq, id: message.id, restId: old, kind: 'removed' });
  }

  private enter(state: MailboxState, message: StoredMessage, target: FolderName): void {
    const folder = state.folders.get(target)!;
    message.folder = target;
    message.isDraft = target === 'drafts';
    message.entrySeq = ++state.seq;
    folder.byEntry.push(message);
    const at = partitionPoint(folder.byReceived, (other) => receivedOrder(other, message) <= 0);
    folder.byReceived.splice(at, 0, message);
    state.byRestId.set(restId(message), message);
    folder.log.push({ seq: message.entrySeq, id: message.id, restId: restId(message), kind: 'upsert' });
  }

  /** Where a message of any mailbox lives (by either id), for the admin routes. */
  findMessage(id: string): { state: MailboxState; message: StoredMessage } | undefined {
    for (const state of this.mailboxes.values()) {
      const message = messageById(state, id);
      if (message) return { state, message };
    }
    return undefined;
  }
}

/** A message by its immutable id or its current default id; Graph takes either in a URL. */
export function messageById(state: MailboxState, id: string): StoredMessage | undefined {
  return state.messages.get(id) ?? state.byRestId.get(id);
}

function remove(list: StoredMessage[], message: StoredMessage): void {
  const index = list.indexOf(message);
  if (index >= 0) list.splice(index, 1);
}
