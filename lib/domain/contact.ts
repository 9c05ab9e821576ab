import { z } from 'zod';

/** A CRM contact as mirrored locally for matching (R19, R20). */
export const contactSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  company: z.string().nullable(),
  primaryEmail: z.string().nullable(),
  /** Primary and additional addresses, normalised for matching. */
  emails: z.array(z.string()),
  /** Link to the contact's record in the CRM. */
  url: z.url({ protocol: /^https?$/ }).nullable(),
  /** When the CRM last changed the contact, milliseconds since the epoch. */
  updatedAt: z.number().int(),
});
export type Contact = z.infer<typeof contactSchema>;
