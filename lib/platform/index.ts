export * from './alarms';
export * from './identity';
export * from './runtime';
export * from './storage';
