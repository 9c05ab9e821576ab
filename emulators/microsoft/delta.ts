import { z } from 'zod';
import { type ChangeEvent, type FolderState, lowerBound, type MailboxState, type MailStore, receivedKey, type StoredMessage } from './mail-store';

/**
 * Delta sync per folder. State lives in the tokens (as on Graph, they are opaque): which mailbox
 * and folder, the generation they belong to, and where the round stands. A round is a snapshot
 * at the change sequence it started on: changes during paging come in the next round.
 */
const tokenSchema = z.object({
  /** mailbox id, folder id, generation ("epoch:n") */
  m: z.string(),
  f: z.string(),
  g: z.string(),
  /** Phase: initial enumeration, or changes since `from`. */
  p: z.enum(['i', 'c']),
  /** The round's snapshot sequence (skip tokens only). */
  s: z.number().int().optional(),
  /** Cursor: last entry sequence (initial) or event sequence (changes) returned. */
  c: z.number().int(),
  /** Changes since this sequence. */
  b: z.number().int().optional(),
  /** `$select`, and the `receivedDateTime ge` lower bound of the initial request. */
  sel: z.array(z.string()).nullable(),
  r: z.number().nullable(),
});
export type DeltaToken = z.infer<typeof tokenSchema>;

export function encodeToken(token: DeltaToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeToken(raw: string): DeltaToken | null {
  try {
    const parsed = tokenSchema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function generation(store: MailStore, state: MailboxState): string {
  return `${store.epoch}:${state.deltaGeneration}`;
}

export type DeltaItem = { message: StoredMessage } | { removed: ChangeEvent };

export interface DeltaPage {
  items: DeltaItem[];
  /** The token for the next page, or null when this was the last page of the round. */
  next: DeltaToken | null;
  /** When the round is over: the token of the delta link. */
  delta: DeltaToken | null;
}

/** One page of a round. `token` must already be checked against the mailbox and generation. */
export function deltaPage(state: MailboxState, folder: FolderState, token: DeltaToken, pageSize: number): DeltaPage {
  const snapshot = token.s ?? state.seq;
  const base = { m: token.m, f: token.f, g: token.g, sel: token.sel, r: token.r };
  const wanted = (m: StoredMessage) => token.r === null || receivedKey(m) >= token.r;
  const items: DeltaItem[] = [];
  let cursor = token.c;
  let more = false;

  if (token.p === 'i') {
    for (let i = lowerBound(folder.byEntry, token.c + 1, (m) => m.entrySeq); i < folder.byEntry.length; i++) {
      const message = folder.byEntry[i]!;
      if (message.entrySeq > snapshot) break;
      if (items.length === pageSize) {
        more = true;
        break;
      }
      cursor = message.entrySeq;
      if (wanted(message)) items.push({ message });
    }
  } else {
    const from = token.b ?? token.c;
    const start = lowerBound(folder.log, from + 1, (e) => e.seq);
    // Only an id's last change in the round counts: a message that came and went is just gone.
    const last = new Map<string, number>();
    for (let i = start; i < folder.log.length && folder.log[i]!.seq <= snapshot; i++) last.set(folder.log[i]!.id, folder.log[i]!.seq);
    for (let i = lowerBound(folder.log, token.c + 1, (e) => e.seq); i < folder.log.length; i++) {
      const event: ChangeEvent = folder.log[i]!;
      if (event.seq > snapshot) break;
      if (last.get(event.id) !== event.seq) continue;
      if (items.length === pageSize) {
        more = true;
        break;
      }
      cursor = event.seq;
      const message = state.messages.get(event.id);
      if (event.kind === 'removed') items.push({ removed: event });
      else if (message && wanted(message)) items.push({ message });
    }
  }
  if (more) return { items, next: { ...base, p: token.p, s: snapshot, c: cursor, b: token.b }, delta: null };
  return { items, next: null, delta: { ...base, p: 'c', c: snapshot, b: snapshot } };
}

/** The token a first delta request starts from. */
export function initialToken(store: MailStore, state: MailboxState, folder: string, select: string[] | null, receivedFrom: number | null): DeltaToken {
  return { m: state.mailbox.id, f: folder, g: generation(store, state), p: 'i', c: 0, sel: select, r: receivedFrom };
}
