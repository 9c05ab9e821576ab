import { useMutation, useQueryClient } from '@tanstack/react-query';
import { GMAIL_CATEGORIES, type GmailCategory, type Mailbox, type PrivacyRules } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { CheckboxField, TextAreaField } from '../ui/field';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { ErrorMessage } from '../ui/error-message';
import { Panel } from '../ui/panel';
import { useZodForm } from '../ui/use-zod-form';
import { rulesFormSchema } from './forms';
import { MailboxPrivacy } from './mailbox-privacy';
import { usePrivacyRules } from './queries';

const CATEGORY_WORDS: Readonly<Record<GmailCategory, string>> = { promotions: 'Promotions', social: 'Social', updates: 'Updates', forums: 'Forums' };
/** The privacy rules (R21, R22): the workspace's rules, then each mailbox's visibility and the mail it syncs. */
export function PrivacySection(props: { mailboxes: readonly Mailbox[] }) {
  const rules = usePrivacyRules();
  return (
    <Panel id="privacy" title="Privacy rules" description="What never leaves the browser, and how much of each mailbox the CRM receives.">
      {rules.isPending && <p role="status">Loading the privacy rules…</p>}
      {rules.isError && (
        <Notice tone="error" title="Could not read the privacy rules" action={<Button onClick={() => rules.refetch()}>Try again</Button>}>
          <ErrorMessage error={rules.error} />
        </Notice>
      )}
      {rules.isSuccess && <PrivacyRulesForm rules={rules.data} />}
      {props.mailboxes.map((mailbox) => (
        <MailboxPrivacy key={mailbox.id} mailbox={mailbox} />
      ))}
    </Panel>
  );
}

function PrivacyRulesForm(props: { rules: PrivacyRules }) {
  const queryClient = useQueryClient();
  const form = useZodForm(rulesFormSchema, {
    workspaceDomains: props.rules.workspaceDomains.join('\n'),
    blockedAddresses: props.rules.blockedAddresses.join('\n'),
    blockedDomains: props.rules.blockedDomains.join('\n'),
    excludedCategories: [...props.rules.excludedCategories],
  });
  const save = useMutation({
    mutationFn: (rules: PrivacyRules) => sendToBackground('savePrivacyRules', rules),
    onSuccess: (saved) => {
      queryClient.setQueryData(['privacyRules'], saved);
      // The form shows the rules as kept: lower case, without repeats.
      form.set('workspaceDomains', saved.workspaceDomains.join('\n'));
      form.set('blockedAddresses', saved.blockedAddresses.join('\n'));
      form.set('blockedDomains', saved.blockedDomains.join('\n'));
      form.set('excludedCategories', saved.excludedCategories);
    },
  });
  const toggle = (category: GmailCategory, on: boolean) =>
    form.set('excludedCategories', on ? [...form.values.excludedCategories, category] : form.values.excludedCategories.filter((c) => c !== category));

  return (
    <form aria-label="Workspace privacy rules" onSubmit={form.submit((rules) => save.mutate(rules))} noValidate>
      <h3>Workspace rules</h3>
      <TextAreaField
        label="Workspace (internal) domains"
        hint="Mail among these domains only is internal and never logged. One a line; subdomains are included."
        rows={3}
        {...form.text('workspaceDomains')}
      />
      <TextAreaField
        label="Blocked addresses"
        hint="Mail with any of these addresses is never logged. One a line."
        rows={3}
        {...form.text('blockedAddresses')}
      />
      <TextAreaField
        label="Blocked domains"
        hint="Mail with anyone at these domains (or their subdomains) is never logged. One a line."
        rows={3}
        {...form.text('blockedDomains')}
      />
      <fieldset className="choices">
        <legend>Gmail categories never logged</legend>
        {GMAIL_CATEGORIES.map((category) => (
          <CheckboxField
            key={category}
            label={CATEGORY_WORDS[category]}
            checked={form.values.excludedCategories.includes(category)}
            onChange={(e) => toggle(category, e.target.checked)}
          />
        ))}
      </fieldset>
      <div className="button-row">
        <Button type="submit" pending={save.isPending}>
          Save privacy rules
        </Button>
        <MutationStatus mutation={save} pending="Saving the privacy rules…" success="Privacy rules saved. They apply to mail decided from now on." />
      </div>
    </form>
  );
}
