import { batchGet } from './batch';
import { IMMUTABLE_IDS, type GraphApi } from './graph-api';
import { folderSchema } from './graph-json';

/**
 * Well-known folders whose mail is never pushed (R21, R21a `excluded_folder`): junk, deleted
 * (and what was purged from Deleted Items but can still be recovered), drafts and the outbox
 * (not sent yet), and Teams/Skype conversation history (chats).
 */
const EXCLUDED = ['junkemail', 'deleteditems', 'recoverableitemsdeletions', 'drafts', 'outbox', 'conversationhistory'] as const;

/**
 * Graph's well-known folder names worth telling apart: the synced ones, the archive (allowed, not
 * synced) and the excluded ones. A message only carries `parentFolderId`, so messages read by id
 * are placed through this map; a folder outside it (one the user made) is allowed.
 */
const WELL_KNOWN = ['inbox', 'sentitems', 'archive', ...EXCLUDED] as const;

/** True for the well-known name of a folder whose mail is never pushed. */
export function isExcludedFolder(name: string | null): boolean {
  return (EXCLUDED as readonly (string | null)[]).includes(name);
}

/**
 * Folder id → well-known name, read in `$batch` requests (a folder a mailbox lacks is left out). No
 * signal: the provider shares one read among its callers (`sharedOnce`).
 */
export async function readFolderNames(api: GraphApi): Promise<Map<string, string>> {
  const urls = WELL_KNOWN.map((name) => `/me/mailFolders/${name}?$select=id`);
  const bodies = await batchGet(api, urls, { Prefer: IMMUTABLE_IDS });
  const names = new Map<string, string>();
  for (const [index, body] of bodies) {
    const parsed = folderSchema.safeParse(body);
    if (parsed.success) names.set(parsed.data.id, WELL_KNOWN[index]!);
  }
  return names;
}
