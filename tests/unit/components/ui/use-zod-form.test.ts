import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors, refusedFields } from '@/components/ui/use-zod-form';
import { MessagingError } from '@/lib/messaging';

describe('fieldErrors', () => {
  const schema = z
    .object({ name: z.string().min(1, 'Enter a name.'), days: z.number().min(1, 'At least 1 day.').max(365, 'At most 365 days.'), shared: z.boolean() })
    .refine((v) => !v.shared || v.name !== 'x', { message: 'Not x when shared.', path: ['name'] })
    .refine((v) => v.days !== 7, { message: 'Not a week.' });

  it('keeps the first message of each field, and whole-form issues under `form`', () => {
    const result = schema.safeParse({ name: '', days: 0, shared: true });
    expect(result.success).toBe(false);
    expect(fieldErrors(result.error!.issues)).toEqual({ name: 'Enter a name.', days: 'At least 1 day.' });
    const refined = schema.safeParse({ name: 'x', days: 7, shared: true });
    expect(fieldErrors(refined.error!.issues)).toEqual({ name: 'Not x when shared.', form: 'Not a week.' });
  });
});

describe('refusedFields', () => {
  it("puts each field the background refused on the form's field, by its path's first segment", () => {
    const refused = MessagingError.invalid('The request to "connectCrm" was not valid.', { token: 'Too short.', 'baseUrl.host': 'Not a CRM address.', 'baseUrl.path': 'Second.' });
    expect(refusedFields(refused)).toEqual({ token: 'Too short.', baseUrl: 'Not a CRM address.' });
  });

  it('is null for an error without fields', () => {
    expect(refusedFields(MessagingError.of('handler_failed', 'No.'))).toBeNull();
    expect(refusedFields(new Error('x'))).toBeNull();
  });
});
