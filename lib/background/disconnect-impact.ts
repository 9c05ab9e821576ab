import { describeFailure } from '../async';
import { pendingOnlyFrom, unfinishedJobsOfLane } from '../db';
import { ProviderError } from '../domain';
import type { MessageOutput } from '../messaging';
import { readCrmConnection } from '../platform';
import { crmApi } from './crm-connection';
import type { BackgroundDeps } from './deps';
import { requireMailbox } from './mailboxes';

type DisconnectImpact = MessageOutput<'getDisconnectImpact'>;

/**
 * What still relies on a mailbox before it is disconnected (R34): the CRM's workflows and
 * templates (none when the CRM keeps no record of the mailbox), its lane's open jobs, and how
 * many of its messages wait to be pushed that only it holds, which the disconnect drops unpushed
 * (`deleteMailboxAndData`). When no CRM is connected or it cannot answer, `crm` is null and
 * `crmError` says why in plain words; the rest is answered anyway.
 */
export async function disconnectImpact(deps: BackgroundDeps, id: string): Promise<DisconnectImpact> {
  const mailbox = await requireMailbox(deps, id);
  const [jobs, waitingPushes, dependencies] = await Promise.all([unfinishedJobsOfLane(deps.db, mailbox.id), pendingOnlyFrom(deps.db, mailbox.id), crmDependencies(deps, mailbox.address)]);
  return { ...dependencies, jobs, waitingPushes };
}

async function crmDependencies(deps: BackgroundDeps, address: string): Promise<Pick<DisconnectImpact, 'crm' | 'crmError'>> {
  const connection = await readCrmConnection();
  if (!connection) return { crm: null, crmError: 'No CRM is connected, so it cannot say whether workflows or templates use this mailbox. Check in the CRM before you disconnect.' };
  try {
    const { workflows, templates } = await crmApi(deps, connection).mailboxDependencies(address);
    return { crm: { workflows, templates }, crmError: null };
  } catch (error) {
    // The CRM keeps no record of this mailbox: nothing there can rely on it.
    if (error instanceof ProviderError && error.code === 'not_found') return { crm: { workflows: [], templates: [] }, crmError: null };
    if (error instanceof ProviderError) return { crm: null, crmError: `${error.message} It could not say whether workflows or templates use this mailbox; check in the CRM before you disconnect.` };
    console.warn('[mailbox-crm] the CRM dependencies of a mailbox could not be read:', describeFailure(error));
    return { crm: null, crmError: 'The CRM could not say whether workflows or templates use this mailbox. Check in the CRM before you disconnect.' };
  }
}
