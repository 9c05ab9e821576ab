export * from './deps';
export * from './handlers';
export * from './start';
