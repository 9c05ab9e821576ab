import { describe, expect, it } from 'vitest';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';

let h: EngineHarness;
const DAY = 24 * 60 * 60_000;

useEngineHarness(7, (harness) => {
  h = harness;
});

describe('backfill against the live ground truth (R10, R15, R19–R22)', () => {
  it('Gmail: the CRM receives exactly the expected emails of the window, once each, with the allowed fields', async () => {
    const mailbox = await h.connect('gmail');
    const job = await h.engine.backfill(mailbox.id, { days: 60 });
    expect(job).toMatchObject({ kind: 'backfill', status: 'queued' });
    await h.settle();
    const truth = await h.truth(['riley'], h.clock - 60 * DAY);
    expect(truth.crmEmails.length).toBeGreaterThan(5);
    await h.expectCrmMatches(truth.crmEmails);
  });

  it('Outlook: the same', async () => {
    const mailbox = await h.connect('outlook');
    await h.engine.backfill(mailbox.id, { days: 60 });
    await h.settle();
    const truth = await h.truth(['support'], h.clock - 60 * DAY);
    expect(truth.crmEmails.length).toBeGreaterThan(5);
    await h.expectCrmMatches(truth.crmEmails);
  });
});
