import type { World } from '../seed/types';

/**
 * Who `POST /__admin/expire {user}` names, read once for every service: a mailbox id becomes
 * that mailbox's address, and addresses compare without case. Undefined names everyone.
 */
export function expiryUser(world: World, user: string | undefined): string | undefined {
  if (!user) return undefined;
  return (world.mailboxes.find((mailbox) => mailbox.id === user)?.address ?? user).toLowerCase();
}

/** Whether an expiry for `user` (from `expiryUser`) reaches what belongs to `address`. */
export function expiryReaches(user: string | undefined, address: string): boolean {
  return user === undefined || address.toLowerCase() === user;
}
