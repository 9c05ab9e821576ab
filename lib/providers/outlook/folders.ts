import { batchGet } from './batch';
import { IMMUTABLE_IDS, type GraphApi } from './graph-api';
import { folderSchema } from './graph-json';

/**
 * Graph's well-known folder names worth telling apart: the synced ones, and those R21 excludes.
 * A message only carries `parentFolderId`, so messages read by id are placed through this map.
 */
const WELL_KNOWN = ['inbox', 'sentitems', 'junkemail', 'deleteditems', 'drafts'] as const;

/**
 * Folder id → well-known name, read in one `$batch` (a folder a mailbox lacks is left out). No
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
