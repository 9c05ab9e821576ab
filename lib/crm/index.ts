export { canonicalJson } from './canonical-json';
export {
  CONTACT_PAGE_MAX,
  type ContactsPage,
  type CrmClient,
  type CrmClientOptions,
  createCrmClient,
  type DeleteEmailOptions,
  EMAIL_BATCH_MAX,
  type ListContactsQuery,
  type MirrorPage,
  type PushOptions,
  type PushResult,
} from './client';
export { type ContactCursor, contactLink, cursorAfter, toContact } from './contacts';
export { SNIPPET_MAX, toCrmEmail, UNKNOWN_SENDER } from './email-item';
export { classifyCrmError, CrmFieldsRefused, crmNotConnected, emailTaken } from './errors';
export { canonicalEmailItem, createContactKey, deleteEmailKey, emailBatchKey, sha256Hex } from './idempotency-key';
export * from './schemas';
