import { z } from 'zod';
import { storage } from 'wxt/utils/storage';
import type { Grant } from '../domain';

/**
 * Where tokens live (background only): access tokens in session storage, which is in memory and
 * gone when the browser closes; refresh tokens in local storage. The background restricts both
 * areas to the extension's own contexts (`restrictStorageToExtension`), so a content script
 * cannot read them. Keys are per account: `gmail:<address>`, `outlook:<address>`, `crm:<base URL>`.
 */

const accessSchema = z.object({ token: z.string().min(1), expiresAt: z.number(), scope: z.string() });
const refreshSchema = z.object({ token: z.string().min(1), expiresAt: z.number().nullable(), scope: z.string() });
export type StoredAccess = z.infer<typeof accessSchema>;
export type StoredRefresh = z.infer<typeof refreshSchema>;

const accessKey = (account: string) => `session:auth.access.${account}` as const;
const refreshKey = (account: string) => `local:auth.refresh.${account}` as const;
/** A pasted personal access token (the CRM, R8): long-lived, so kept like a refresh token. */
const personalKey = (account: string) => `local:auth.personal.${account}` as const;

/**
 * Each account's generation in this worker: `forgetAccount` and `replaceGrant` start a new one.
 * A renewal notes the generation it started in and stores its grant only if that is still the
 * current one, so a renewal that was in flight during a disconnect (or a reconnect) cannot write
 * the old grant back. In memory: a renewal never outlives its worker.
 */
const generations = new Map<string, number>();

/** Writes per account, one at a time, so a generation check and the writes after it are not split. */
const writes = new Map<string, Promise<void>>();

function serially<T>(account: string, work: () => Promise<T>): Promise<T> {
  const run = (writes.get(account) ?? Promise.resolve()).then(work);
  // The queue only orders the writes; each caller gets its own outcome, failure included, from `run`.
  const tail = run.then(
    () => undefined,
    // eslint-disable-next-line no-restricted-syntax -- the failure reaches the caller through `run`
    () => undefined,
  );
  writes.set(account, tail);
  void tail.then(() => {
    if (writes.get(account) === tail) writes.delete(account);
  });
  return run;
}

/** The account's current generation, to pass back to `saveGrant`. */
export function accountGeneration(account: string): number {
  return generations.get(account) ?? 0;
}

async function writeGrant(account: string, grant: Grant): Promise<void> {
  await storage.setItem<StoredAccess>(accessKey(account), { token: grant.accessToken, expiresAt: grant.accessExpiresAt, scope: grant.scope });
  if (grant.refreshToken) {
    await storage.setItem<StoredRefresh>(refreshKey(account), { token: grant.refreshToken, expiresAt: grant.refreshExpiresAt, scope: grant.scope });
  }
}

/**
 * Stores a renewed grant; a grant without a refresh token keeps the stored one. With `generation`
 * (from `accountGeneration` when the renewal started), nothing is stored once the account was
 * forgotten or its grant replaced since; the answer is then false.
 */
export function saveGrant(account: string, grant: Grant, generation?: number): Promise<boolean> {
  return serially(account, async () => {
    if (generation !== undefined && generation !== accountGeneration(account)) return false;
    await writeGrant(account, grant);
    return true;
  });
}

/**
 * Stores the grant of a new sign-in in place of whatever the account had (connect, reconnect):
 * a new generation, so a renewal of the old grant still in flight stores nothing over it.
 */
export function replaceGrant(account: string, grant: Grant): Promise<void> {
  return serially(account, async () => {
    generations.set(account, accountGeneration(account) + 1);
    await storage.removeItems([accessKey(account), refreshKey(account), personalKey(account)]);
    await writeGrant(account, grant);
  });
}

/** The stored access token, or null when absent or of the wrong shape. */
export async function readAccess(account: string): Promise<StoredAccess | null> {
  return accessSchema.nullable().catch(null).parse(await storage.getItem(accessKey(account)));
}

/** The stored refresh token, or null when absent or of the wrong shape. */
export async function readRefresh(account: string): Promise<StoredRefresh | null> {
  return refreshSchema.nullable().catch(null).parse(await storage.getItem(refreshKey(account)));
}

/**
 * Whether the account still holds a grant from a sign-in (a refresh token, even an expired one, or
 * an access token). False once it was disconnected: nothing may sign it in again on its own.
 */
export async function holdsGrant(account: string): Promise<boolean> {
  return (await storage.getItem(refreshKey(account))) !== null || (await storage.getItem(accessKey(account))) !== null;
}

/** Drops the cached access token (the peer refused it), keeping the refresh token. */
export function forgetAccess(account: string): Promise<void> {
  return serially(account, () => storage.removeItem(accessKey(account)));
}

/** Keeps a pasted personal access token; it replaces OAuth for that account (a new generation). */
export function savePersonalToken(account: string, token: string): Promise<void> {
  return serially(account, async () => {
    generations.set(account, accountGeneration(account) + 1);
    await storage.removeItems([accessKey(account), refreshKey(account)]);
    await storage.setItem<string>(personalKey(account), token);
  });
}

/** The stored personal access token, or null. */
export async function readPersonalToken(account: string): Promise<string | null> {
  return z.string().min(1).nullable().catch(null).parse(await storage.getItem(personalKey(account)));
}

/**
 * Removes every token of an account (disconnect, R34) and starts a new generation, so a renewal
 * in flight for it stores nothing afterwards.
 */
export function forgetAccount(account: string): Promise<void> {
  return serially(account, async () => {
    generations.set(account, accountGeneration(account) + 1);
    await storage.removeItems([accessKey(account), refreshKey(account), personalKey(account)]);
  });
}

/**
 * Forgets every account's tokens, each with a new generation (see `forgetAccount`): what the
 * background does when it could not close storage to content scripts, so no token stays where a
 * webmail page's content-script process could read it. Accounts then need a new sign-in.
 */
export async function forgetAllTokens(): Promise<void> {
  const keys = [...Object.keys(await storage.snapshot('local')), ...Object.keys(await storage.snapshot('session'))];
  const accounts = new Set(keys.map((key) => /^auth\.(?:access|refresh|personal)\.(.+)$/.exec(key)?.[1]).filter((account) => account !== undefined));
  for (const account of accounts) await forgetAccount(account);
}
