import { partitionPoint } from '../core/partition';
import type { SeedMailbox, SeedMessage, World } from '../seed/types';
import { labelIdsOf, seedMask, USER_LABEL_IDS } from './labels';

/** One message as Gmail holds it: the seed's content (referenced, never copied) and its state. */
export interface GmailMessage {
  id: string;
  threadId: string;
  internalDate: number;
  content: SeedMessage;
  /** Label bit mask (see labels.ts). */
  mask: number;
  /** The last history record that touched it. */
  historyId: number;
}

/** One change, as `history.list` reports it. Gmail records hold one change each here. */
export interface HistoryRecord {
  id: number;
  kind: 'messagesAdded' | 'messagesDeleted' | 'labelsAdded' | 'labelsRemoved';
  message: GmailMessage;
  /** For label changes: the labels added or removed. */
  labelIds?: readonly string[];
}

export interface MailboxState {
  mailbox: SeedMailbox;
  byId: Map<string, GmailMessage>;
  /** Newest first (internalDate, then id, descending): the order of messages.list. */
  byDate: GmailMessage[];
  /** Thread id -> its messages, oldest first. */
  threads: Map<string, GmailMessage[]>;
  /** The mailbox's current history id. */
  historyId: number;
  /** The retained history, oldest first. */
  history: HistoryRecord[];
  /** A `startHistoryId` below this is outside the retained window (404). */
  oldestStart: number;
  /** `resultSizeEstimate` per list filter; emptied by every change. */
  estimates: Map<string, number>;
  /** The mailbox's user labels: id → name. */
  userLabels: Map<string, string>;
}

/** Seeded ids start here, so they look like Gmail's (large, opaque) numbers. */
const HISTORY_BASE = 4_200_000;
/** Gmail keeps history for about a week (the API guide says "at least a week, often longer"). */
const HISTORY_RETENTION_MS = 7 * 86_400_000;

/** Newest first: later internalDate, then larger id. */
export const newestFirst = (a: GmailMessage, b: GmailMessage) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The world's Gmail mailboxes, indexed once per reset: messages by id, newest first, by thread,
 * each with a history id in date order, and the history of the last week.
 */
export class GmailStore {
  private mailboxes = new Map<string, MailboxState>();
  private byAddress = new Map<string, MailboxState>();
  private counter = 0;
  /** User labels made in this world (each takes the next of `USER_LABEL_IDS`). */
  private labelsMade = 0;

  reset(world: World): void {
    this.labelsMade = 0;
    this.mailboxes.clear();
    this.byAddress.clear();
    for (const mailbox of world.mailboxes) {
      if (mailbox.provider !== 'gmail') continue;
      const state: MailboxState = {
        mailbox,
        byId: new Map(),
        byDate: [],
        threads: new Map(),
        historyId: HISTORY_BASE,
        history: [],
        oldestStart: HISTORY_BASE,
        estimates: new Map(),
        userLabels: new Map(),
      };
      this.mailboxes.set(mailbox.id, state);
      for (const address of [mailbox.address, ...mailbox.aliases]) this.byAddress.set(address.toLowerCase(), state);
    }
    // World messages come sorted by mailbox, then date: history ids follow the date order.
    const retainedFrom = Date.now() - HISTORY_RETENTION_MS;
    for (const content of world.messages) {
      const state = this.mailboxes.get(content.mailboxId);
      if (!state) continue;
      const message: GmailMessage = { id: content.providerId, threadId: content.threadId, internalDate: content.internalDate, content, mask: seedMask(content), historyId: ++state.historyId };
      state.byId.set(message.id, message);
      state.byDate.push(message);
      threadOf(state, message.threadId).push(message);
      if (message.internalDate >= retainedFrom) {
        if (state.history.length === 0) state.oldestStart = message.historyId - 1;
        state.history.push({ id: message.historyId, kind: 'messagesAdded', message });
      }
    }
    for (const state of this.mailboxes.values()) {
      state.byDate.reverse();
      if (state.history.length === 0) state.oldestStart = state.historyId;
    }
  }

  /** The Gmail mailbox with this address or alias (any case). */
  mailboxByAddress(address: string): MailboxState | undefined {
    return this.byAddress.get(address.toLowerCase());
  }

  all(): MailboxState[] {
    return [...this.mailboxes.values()];
  }

  /** A fresh message id in Gmail's shape: 16 hex digits, the time first. */
  newId(): string {
    this.counter = (this.counter + 1) % 0x100000;
    return Date.now().toString(16).padStart(11, '0').slice(-11) + this.counter.toString(16).padStart(5, '0');
  }

  /**
   * Makes a user label (`users.labels.create`): its id, or `exists` when the mailbox has a label of
   * that name (any case; Gmail answers 409), `full` when the world has no label id left.
   */
  createLabel(state: MailboxState, name: string): string | 'exists' | 'full' {
    if ([...state.userLabels.values()].some((other) => other.toLowerCase() === name.toLowerCase())) return 'exists';
    const id = USER_LABEL_IDS[this.labelsMade];
    if (id === undefined) return 'full';
    this.labelsMade++;
    state.userLabels.set(id, name);
    return id;
  }

  /** Adds a message (sent or delivered) with a messagesAdded history record. */
  add(state: MailboxState, content: SeedMessage, mask: number): GmailMessage {
    const message: GmailMessage = { id: content.providerId, threadId: content.threadId, internalDate: content.internalDate, content, mask, historyId: 0 };
    state.byId.set(message.id, message);
    state.byDate.splice(partitionPoint(state.byDate, (other) => newestFirst(other, message) <= 0), 0, message);
    const thread = threadOf(state, message.threadId);
    thread.push(message);
    thread.sort((a, b) => -newestFirst(a, b));
    this.record(state, 'messagesAdded', message);
    return message;
  }

  /** Adds and removes labels on a message; each non-empty side is a history record. */
  relabel(state: MailboxState, message: GmailMessage, add: number, remove: number): void {
    const added = add & ~message.mask;
    const removed = remove & message.mask & ~add;
    message.mask = (message.mask | added) & ~removed;
    if (added) this.record(state, 'labelsAdded', message, labelIdsOf(added));
    if (removed) this.record(state, 'labelsRemoved', message, labelIdsOf(removed));
  }

  /**
   * Deletes a message for good, as `users.messages.delete` does (trash is only a label): it leaves
   * every list, thread and get, and a messagesDeleted record says so.
   */
  delete(state: MailboxState, message: GmailMessage): void {
    state.byId.delete(message.id);
    state.byDate.splice(state.byDate.indexOf(message), 1);
    const thread = threadOf(state, message.threadId);
    thread.splice(thread.indexOf(message), 1);
    if (thread.length === 0) state.threads.delete(message.threadId);
    this.record(state, 'messagesDeleted', message);
  }

  /** Forgets all history: every start id older than now is out of the window. */
  expireHistory(state: MailboxState): void {
    state.history = [];
    state.oldestStart = state.historyId;
  }

  private record(state: MailboxState, kind: HistoryRecord['kind'], message: GmailMessage, labelIds?: readonly string[]): void {
    message.historyId = ++state.historyId;
    state.history.push({ id: message.historyId, kind, message, ...(labelIds ? { labelIds } : {}) });
    state.estimates.clear();
  }
}

function threadOf(state: MailboxState, threadId: string): GmailMessage[] {
  let thread = state.threads.get(threadId);
  if (!thread) state.threads.set(threadId, (thread = []));
  return thread;
}
