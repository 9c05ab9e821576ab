export * from './alarms';
export * from './identity';
export * from './messages';
export * from './permissions';
export * from './runtime';
export * from './storage';
export * from './storage-access';
export * from './token-store';
