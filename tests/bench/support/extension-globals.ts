/**
 * The extension's world for a benchmark script run by `tsx` rather than vitest: IndexedDB from
 * fake-indexeddb and `chrome.*` from WXT's fake browser (the vitest plugin does the same for the
 * tests). Import it first, before anything of `lib/`: `wxt/browser` reads `globalThis.chrome` once,
 * when it is first loaded.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';

/** Every host permission counts as granted, as the e2e build's are at install (the fake browser has no permissions API). */
export function grantHostPermissions(): void {
  fakeBrowser.permissions.contains = async () => true;
}

grantHostPermissions();
(globalThis as { chrome?: unknown }).chrome = fakeBrowser;
