export { createCrmService } from './service';
export { CRM_SCOPES, DEMO_PAT } from './auth';
