export * from './best-effort';
export * from './shared-once';
export * from './until-aborted';
export * from './wait-queue';
export * from './debounce';
export * from './token-bucket';
