import { childFolders, type FolderState, type MailboxState } from './mail-store';

/** Graph's `mailFolder` properties, in the order Graph prints them; only what is read is computed. */
const PROPERTIES: Record<string, (state: MailboxState, folder: FolderState) => unknown> = {
  id: (_, folder) => folder.id,
  displayName: (_, folder) => folder.displayName,
  parentFolderId: (_, folder) => folder.parentId,
  childFolderCount: (state, folder) => childFolders(state, folder.id).length,
  // A walk over the whole folder: only for requests that select it (or select nothing).
  unreadItemCount: (_, folder) => folder.byEntry.reduce((unread, message) => (message.isRead ? unread : unread + 1), 0),
  totalItemCount: (_, folder) => folder.byEntry.length,
  isHidden: () => false,
};

const ALL = Object.keys(PROPERTIES);
const BY_LOWER = new Map(ALL.map((name) => [name.toLowerCase(), name]));

/**
 * Resolves `$select` names on a mail folder (case-insensitively; `id` always comes back, as in
 * Graph); all properties without `$select`. An unknown name is returned as `unknown`.
 */
export function resolveFolderSelect(select: string[] | null): { fields: string[] } | { unknown: string } {
  if (!select) return { fields: ALL };
  const fields = ['id'];
  for (const raw of select) {
    const name = BY_LOWER.get(raw.toLowerCase());
    if (!name) return { unknown: raw };
    if (!fields.includes(name)) fields.push(name);
  }
  return { fields };
}

/** A mail folder in Graph's JSON shape with only `fields`. */
export function renderFolder(state: MailboxState, folder: FolderState, fields: string[]): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const name of fields) json[name] = PROPERTIES[name]!(state, folder);
  return json;
}
