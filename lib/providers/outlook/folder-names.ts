/*
 * How the product names Outlook folders: pure, without the Graph client, so the emulators'
 * ground truth names a folder exactly as the provider does.
 */

import { OUTLOOK_EXCLUDED_FOLDERS } from '../../matching/skip-rules';

/** Well-known folders whose mail is never pushed (R21, R21a `excluded_folder`); one list with the skip rules. */
const EXCLUDED = OUTLOOK_EXCLUDED_FOLDERS;

/**
 * Graph's well-known folder names worth telling apart: Inbox and Sent Items (direction), the
 * archive, and the excluded ones. Every other folder is a user's own, named by its id.
 */
export const WELL_KNOWN = ['inbox', 'sentitems', 'archive', ...EXCLUDED] as const;

/** True for the well-known name of a folder whose mail is never pushed. */
export function isExcludedFolder(name: string | null): boolean {
  return (EXCLUDED as readonly (string | null)[]).includes(name);
}

/** A folder as its name is worked out: Graph's id and well-known name (null for a user's folder). */
export interface FolderRef {
  id: string;
  wellKnown: string | null;
}

/**
 * The product's name of a folder (a message's `folder`, a `listFolders` id, what `only` takes),
 * from the folder and the folders it sits in (`chain`, top-level first, the folder last):
 * - in or below an excluded folder (a folder the user deleted sits in Deleted Items): that
 *   folder's well-known name, so its mail is excluded like the rest of it;
 * - a well-known folder: its well-known name (`inbox`, `sentitems`, `archive`);
 * - a user's folder: its Graph id. The id stays when the folder is renamed or moved, never
 *   equals an excluded name whatever the folder is called, and Graph takes it in a URL where it
 *   takes a well-known name (`/me/mailFolders/{id}`).
 */
export function productFolderName(chain: readonly FolderRef[]): string {
  const excluded = chain.find((folder) => isExcludedFolder(folder.wellKnown));
  if (excluded) return excluded.wellKnown!;
  const self = chain.at(-1)!;
  return self.wellKnown ?? self.id;
}
