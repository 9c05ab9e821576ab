export * from './contact';
export * from './mailbox';
export * from './message';
export * from './provider-error';
export * from './sync-run';
