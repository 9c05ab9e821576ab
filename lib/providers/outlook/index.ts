export { classifyGraphError, graphFailure } from './errors';
export { identityFromGraph, type OutlookIdentity } from './identity';
export { createOutlookProvider, type OutlookProviderOptions } from './provider';
