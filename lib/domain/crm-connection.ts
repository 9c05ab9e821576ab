import { z } from 'zod';

/** The CRM the user connected in the options page (R8). The token is kept elsewhere. */
export const crmConnectionSchema = z.object({
  baseUrl: z.url(),
  authMethod: z.enum(['oauth', 'personal_token']),
});
export type CrmConnection = z.infer<typeof crmConnectionSchema>;
