import { GmailStore } from '@/emulators/google/mail-store';
import { gmailLiveMessages } from '@/emulators/google/truth';
import { MailStore } from '@/emulators/microsoft/mail-store';
import { outlookLiveMessages } from '@/emulators/microsoft/truth';
import type { TruthInput } from '@/emulators/seed/ground-truth';
import { initialPolicy, ThreadMarks } from '@/emulators/seed/policy';
import type { World } from '@/emulators/seed/types';

/** The ground truth's input for a freshly seeded world, read from the emulators' own mail stores. */
export function worldTruthInput(world: World): TruthInput {
  const gmail = new GmailStore();
  gmail.reset(world);
  const outlook = new MailStore();
  outlook.reset(world);
  return {
    mailboxes: world.mailboxes,
    messages: [...gmailLiveMessages(gmail), ...outlookLiveMessages(outlook)],
    contacts: world.contacts,
    policy: initialPolicy(world),
    marks: new ThreadMarks(),
  };
}
