export * from './client';
export * from './dispatch';
export * from './protocol';
export * from './server';
