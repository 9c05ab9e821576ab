export * from './engine';
export * from './engine-deps';
export * from './error-policy';
export { CONFIRM_ABOVE_DAYS, FIRST_BACKFILL_MAX_DAYS } from './jobs/backfill';
export { mirrorContacts } from './jobs/contacts';
export { type PromptMemory, dismissPrompt, reviewPrompts } from './review-prompts';
export { lookupMessages, runSample, threadState } from './state';
export { decideThread, type ThreadDecision } from './thread-links';
export { markWrongContact, type WrongContact } from './wrong-contact';
