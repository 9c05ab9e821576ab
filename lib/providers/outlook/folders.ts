import type { z } from 'zod';
import { providerError } from '../../domain';
import { batchGet } from './batch';
import { type GraphApi, IMMUTABLE_IDS } from './graph-api';
import { type FolderRef, isExcludedFolder, productFolderName, WELL_KNOWN } from './folder-names';
import { folderListSchema, folderSchema, type GraphFolder } from './graph-json';

/**
 * Folder id → well-known name, read in `$batch` requests (a folder a mailbox lacks is left out). No
 * signal: the provider shares one read among its callers (`sharedOnce`).
 */
export async function readWellKnownFolders(api: GraphApi): Promise<Map<string, string>> {
  const urls = WELL_KNOWN.map((name) => `/me/mailFolders/${name}?$select=id`);
  const bodies = await batchGet(api, urls, { Prefer: IMMUTABLE_IDS });
  const names = new Map<string, string>();
  for (const [index, body] of bodies) {
    const parsed = folderSchema.safeParse(body);
    if (parsed.success) names.set(parsed.data.id, WELL_KNOWN[index]!);
  }
  return names;
}

/** One folder of the mailbox's tree. */
export interface MailFolder {
  /** The product's name (`productFolderName`). */
  name: string;
  graphId: string;
  /** Display names from the top level down, `/`-separated: `Inbox/Customers/Acme`. */
  path: string;
  wellKnown: string | null;
  /** Mail here is never pushed: an excluded folder, or a folder inside one. */
  excluded: boolean;
}

/** The folders under the mailbox's root (`msgfolderroot`), at every level, parents first. */
export interface FolderTree {
  folders: MailFolder[];
  byGraphId: Map<string, MailFolder>;
}

const FOLDER_FIELDS = 'id,displayName,childFolderCount';
/** Folders per page: Graph's collections allow `$top` up to 1000; most mailboxes fit in one page. */
const FOLDER_PAGE = 250;
/** A bound on the walk: a server that answers a folder inside itself cannot hold it forever. */
const MAX_FOLDERS = 10_000;

/**
 * Reads the folder tree: `GET /me/mailFolders` (the root's folders), then the `childFolders` of
 * every folder that has some, a level at a time in `$batch` requests, each collection followed
 * through its `@odata.nextLink`. Hidden folders are not listed (no `includeHiddenFolders`), as
 * Outlook does not show them. A folder deleted during the walk (404) is left out with what it held.
 * Folders inside excluded ones are read too, so that mail in them is known to be excluded.
 */
export async function readFolderTree(api: GraphApi, wellKnown: Map<string, string>, signal?: AbortSignal): Promise<FolderTree> {
  const tree: FolderTree = { folders: [], byGraphId: new Map() };
  const rest = async (first: z.infer<typeof folderListSchema>): Promise<GraphFolder[]> => {
    const value = [...first.value];
    for (let next = first['@odata.nextLink']; next !== undefined && value.length <= MAX_FOLDERS; ) {
      const page = await api.json(api.link(next), folderListSchema, { signal });
      value.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return value;
  };
  const add = (parent: MailFolder | null, children: GraphFolder[], chains: Map<string, FolderRef[]>): MailFolder[] => {
    const added: MailFolder[] = [];
    for (const child of children) {
      if (tree.byGraphId.has(child.id) || tree.folders.length >= MAX_FOLDERS) continue;
      const ref: FolderRef = { id: child.id, wellKnown: wellKnown.get(child.id) ?? null };
      const chain = [...(parent ? chains.get(parent.graphId)! : []), ref];
      chains.set(child.id, chain);
      const name = productFolderName(chain);
      const folder: MailFolder = {
        name,
        graphId: child.id,
        path: parent ? `${parent.path}/${child.displayName ?? ''}` : (child.displayName ?? ''),
        wellKnown: ref.wellKnown,
        excluded: isExcludedFolder(name),
      };
      tree.folders.push(folder);
      tree.byGraphId.set(folder.graphId, folder);
      if ((child.childFolderCount ?? 0) > 0) added.push(folder);
    }
    return added;
  };

  const chains = new Map<string, FolderRef[]>();
  const top = await api.json((c) => c.api('/me/mailFolders').select(FOLDER_FIELDS).top(FOLDER_PAGE), folderListSchema, { signal });
  let level = add(null, await rest(top), chains);
  while (level.length > 0) {
    const urls = level.map((folder) => `/me/mailFolders/${encodeURIComponent(folder.graphId)}/childFolders?$select=${FOLDER_FIELDS}&$top=${FOLDER_PAGE}`);
    const bodies = await batchGet(api, urls, {}, signal);
    const next: MailFolder[] = [];
    for (const [index, body] of bodies) {
      const parsed = folderListSchema.safeParse(body);
      if (!parsed.success) throw providerError('bad_response', 'outlook', { detail: 'A folder list in a batch answer had an unexpected shape.' });
      next.push(...add(level[index]!, await rest(parsed.data), chains));
    }
    level = next;
  }
  return tree;
}
