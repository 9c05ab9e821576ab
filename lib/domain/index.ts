export * from './contact';
export * from './crm-connection';
export * from './crm-email';
export * from './grant';
export * from './mailbox';
export * from './message';
export * from './provider-error';
export * from './sync-run';
