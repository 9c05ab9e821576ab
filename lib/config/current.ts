import { type Endpoints, resolveEndpoints } from './endpoints';

/** The endpoints this build was made for (`WXT_*` variables, read by Vite at build time). */
export const endpoints: Endpoints = resolveEndpoints(import.meta.env as Record<string, string | undefined>);
