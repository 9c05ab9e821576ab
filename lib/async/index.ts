export * from './shared-once';
export * from './until-aborted';
