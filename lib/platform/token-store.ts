import { z } from 'zod';
import { storage } from 'wxt/utils/storage';
import type { Grant } from '../domain';

/**
 * Where tokens live (background only): access tokens in session storage, which is in memory and
 * gone when the browser closes; refresh tokens in local storage. The background restricts both
 * areas to the extension's own contexts (`restrictStorageToExtension`), so a content script
 * cannot read them. Keys are per account: `gmail:<address>`, `outlook:<address>`, `crm`.
 */

const accessSchema = z.object({ token: z.string().min(1), expiresAt: z.number(), scope: z.string() });
const refreshSchema = z.object({ token: z.string().min(1), expiresAt: z.number().nullable(), scope: z.string() });
export type StoredAccess = z.infer<typeof accessSchema>;
export type StoredRefresh = z.infer<typeof refreshSchema>;

const accessKey = (account: string) => `session:auth.access.${account}` as const;
const refreshKey = (account: string) => `local:auth.refresh.${account}` as const;
/** A pasted personal access token (the CRM, R8): long-lived, so kept like a refresh token. */
const personalKey = (account: string) => `local:auth.personal.${account}` as const;

/** Stores a fresh grant; a grant without a refresh token keeps the stored one. */
export async function saveGrant(account: string, grant: Grant): Promise<void> {
  await storage.setItem<StoredAccess>(accessKey(account), { token: grant.accessToken, expiresAt: grant.accessExpiresAt, scope: grant.scope });
  if (grant.refreshToken) {
    await storage.setItem<StoredRefresh>(refreshKey(account), { token: grant.refreshToken, expiresAt: grant.refreshExpiresAt, scope: grant.scope });
  }
}

/** The stored access token, or null when absent or of the wrong shape. */
export async function readAccess(account: string): Promise<StoredAccess | null> {
  return accessSchema.nullable().catch(null).parse(await storage.getItem(accessKey(account)));
}

/** The stored refresh token, or null when absent or of the wrong shape. */
export async function readRefresh(account: string): Promise<StoredRefresh | null> {
  return refreshSchema.nullable().catch(null).parse(await storage.getItem(refreshKey(account)));
}

/** Drops the cached access token (the peer refused it), keeping the refresh token. */
export async function forgetAccess(account: string): Promise<void> {
  await storage.removeItem(accessKey(account));
}

/** Keeps a pasted personal access token; it replaces OAuth for that account. */
export async function savePersonalToken(account: string, token: string): Promise<void> {
  await storage.setItem<string>(personalKey(account), token);
}

/** The stored personal access token, or null. */
export async function readPersonalToken(account: string): Promise<string | null> {
  return z.string().min(1).nullable().catch(null).parse(await storage.getItem(personalKey(account)));
}

/** Removes every token of an account (disconnect, R34). */
export async function forgetAccount(account: string): Promise<void> {
  await storage.removeItems([accessKey(account), refreshKey(account), personalKey(account)]);
}
