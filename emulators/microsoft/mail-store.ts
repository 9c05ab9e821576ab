import { createHash, randomBytes } from 'node:crypto';
import { partitionPoint } from '../core/partition';
import type { Box, SeedMailbox, SeedMessage, World } from '../seed/types';
import { FOLDER_DISPLAY_NAMES, FOLDER_NAMES, type FolderName, folderId, newFolderId, newMessageId, restMessageId, stableGuid } from './ids';

/** One message as Exchange holds it: the seed's content plus the state Graph exposes. */
export interface StoredMessage {
  id: string;
  content: SeedMessage;
  bodyType: 'text' | 'html';
  folder: FolderState;
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
  id: string;
  /** Graph's well-known name, or null for a folder the user made. */
  wellKnown: FolderName | null;
  displayName: string;
  /** The folder it sits in: the root (`msgfolderroot`) for a top-level folder. */
  parentId: string;
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
  /** Every folder by id, in the order they were made (Graph lists folders in that order). */
  folders: Map<string, FolderState>;
  wellKnown: Map<FolderName, FolderState>;
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

/**
 * User folders every seeded Outlook mailbox starts with: a top-level folder and a child folder,
 * by path. Some customer mail is filed there (and in Archive): see `seededFolderOf`.
 */
export const SEEDED_USER_FOLDERS = ['Customers', 'Customers/Key accounts'] as const;

/**
 * Where a seeded message sits: its box's folder, except that one customer conversation in ten is
 * filed into Archive, one into `Customers` and one into `Customers/Key accounts` (received mail
 * only; sent mail stays in Sent Items). Decided by a hash of the conversation id, which the
 * seed's generator made: the same seed files the same mail, and the generator's draws (so the
 * Gmail world) are untouched.
 */
export function seededFolderOf(content: Pick<SeedMessage, 'box' | 'kind' | 'threadId'>): FolderName | (typeof SEEDED_USER_FOLDERS)[number] | undefined {
  const folder = BOX_FOLDER[content.box];
  if (folder !== 'inbox' || content.kind !== 'customer') return folder;
  const bucket = createHash('sha256').update(content.threadId).digest().readUInt32BE(0) % 10;
  return bucket === 0 ? 'archive' : bucket === 1 ? SEEDED_USER_FOLDERS[0] : bucket === 2 ? SEEDED_USER_FOLDERS[1] : folder;
}

/** A folder by well-known name (any case) or by id. */
export function findFolder(state: MailboxState, nameOrId: string): FolderState | undefined {
  return state.wellKnown.get(nameOrId.toLowerCase() as FolderName) ?? state.folders.get(nameOrId);
}

/** The folders directly inside `parentId`, in the order they were made. */
export function childFolders(state: MailboxState, parentId: string): FolderState[] {
  return [...state.folders.values()].filter((folder) => folder.parentId === parentId);
}

/** The folder and the folders it sits in, top-level first and the folder itself last. */
export function folderChain(state: MailboxState, folder: FolderState): FolderState[] {
  const chain = [folder];
  for (let parent = state.folders.get(folder.parentId); parent; parent = state.folders.get(parent.parentId)) chain.unshift(parent);
  return chain;
}

/** The message's default id where it is now (see `restMessageId`). */
export const restId = (m: StoredMessage) => restMessageId(m.id, m.folder.id, m.entrySeq);

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
      const placed = seededFolderOf(content);
      if (!state || !placed) continue;
      const folder = findFolder(state, placed) ?? state.folders.get(folderId(state.mailbox.id, `user:${placed}`))!;
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
      folder.byEntry.push(message);
      folder.byReceived.push(message);
    }
  }

  private createMailbox(mailbox: SeedMailbox): MailboxState {
    const rootFolderId = folderId(mailbox.id, 'msgfolderroot');
    const state: MailboxState = {
      mailbox,
      userId: stableGuid(`user:${mailbox.address}`),
      rootFolderId,
      folders: new Map(),
      wellKnown: new Map(),
      messages: new Map(),
      byRestId: new Map(),
      seq: 0,
      deltaGeneration: 0,
    };
    for (const name of FOLDER_NAMES) {
      const folder = this.addFolder(state, { id: folderId(mailbox.id, name), wellKnown: name, displayName: FOLDER_DISPLAY_NAMES[name], parentId: rootFolderId });
      state.wellKnown.set(name, folder);
    }
    for (const path of SEEDED_USER_FOLDERS) {
      const parent = path.includes('/') ? folderId(mailbox.id, `user:${path.slice(0, path.lastIndexOf('/'))}`) : rootFolderId;
      this.addFolder(state, { id: folderId(mailbox.id, `user:${path}`), wellKnown: null, displayName: path.slice(path.lastIndexOf('/') + 1), parentId: parent });
    }
    return state;
  }

  private addFolder(state: MailboxState, folder: Pick<FolderState, 'id' | 'wellKnown' | 'displayName' | 'parentId'>): FolderState {
    const made: FolderState = { ...folder, byEntry: [], byReceived: [], log: [] };
    state.folders.set(made.id, made);
    return made;
  }

  /**
   * Makes a user folder in `parentId` (the root or a folder), as `POST /me/mailFolders` or
   * `…/childFolders` does; null when the parent has a folder of that name already (Graph:
   * 409 ErrorFolderExists, names compared without case).
   */
  createFolder(state: MailboxState, displayName: string, parentId: string): FolderState | null {
    const taken = childFolders(state, parentId).some((f) => f.displayName.toLowerCase() === displayName.toLowerCase());
    return taken ? null : this.addFolder(state, { id: newFolderId(), wellKnown: null, displayName, parentId });
  }

  /**
   * Moves a user folder, with what it holds, into another folder (Outlook's "delete folder" moves
   * it into Deleted Items). Its messages keep their folder and ids, so no message delta reports it.
   * False when the target is the folder itself or inside it.
   */
  moveFolder(state: MailboxState, folder: FolderState, parentId: string): boolean {
    for (let at: string | undefined = parentId; at !== undefined && at !== state.rootFolderId; at = state.folders.get(at)?.parentId) {
      if (at === folder.id) return false;
    }
    folder.parentId = parentId;
    return true;
  }

  /**
   * Purges a user folder, its child folders and their mail for good. Its id is then unknown: a
   * delta or skip token of it answers 404 ErrorItemNotFound.
   */
  purgeFolder(state: MailboxState, folder: FolderState): void {
    for (const child of childFolders(state, folder.id)) this.purgeFolder(state, child);
    for (const message of folder.byEntry) {
      state.messages.delete(message.id);
      state.byRestId.delete(restId(message));
    }
    state.folders.delete(folder.id);
  }

  /** The Outlook mailbox with this primary address or alias (any case). */
  mailboxByAddress(address: string): MailboxState | undefined {
    return this.byAddress.get(address.toLowerCase());
  }

  all(): MailboxState[] {
    return [...this.mailboxes.values()];
  }

  /** Adds a new message (delivered, sent or copied) to a folder; delta reports it. */
  add(state: MailboxState, content: Omit<SeedMessage, 'providerId' | 'mailboxId'>, folder: FolderState, options: { isRead: boolean; bodyType: 'text' | 'html' }): StoredMessage {
    const now = Date.now();
    const message: StoredMessage = {
      id: newMessageId(),
      content: { ...content, mailboxId: state.mailbox.id, providerId: '' },
      bodyType: options.bodyType,
      folder,
      isRead: options.isRead,
      isDraft: false,
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
  move(state: MailboxState, message: StoredMessage, target: FolderState): void {
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
    const source = message.folder;
    remove(source.byEntry, message);
    remove(source.byReceived, message);
    const old = restId(message);
    state.byRestId.delete(old);
    source.log.push({ seq: ++state.seq, id: message.id, restId: old, kind: 'removed' });
  }

  private enter(state: MailboxState, message: StoredMessage, folder: FolderState): void {
    message.folder = folder;
    message.isDraft = folder.wellKnown === 'drafts';
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
