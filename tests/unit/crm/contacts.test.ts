import { describe, expect, it } from 'vitest';
import { contactLink, type CrmContact, toContact } from '@/lib/crm';

const CRM = 'https://crm.example.test';
const contact = (url: string): CrmContact => ({
  id: 'ct-1',
  name: 'Dana Buyer',
  company: { id: 'co-1', name: 'Customer Ltd' },
  email: 'Dana.Buyer@customer.test',
  additional_emails: ['dana@gmail.com', 'dana.buyer@customer.test'],
  url,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-02T00:00:00Z',
});

describe('contact links (shown as the CRM in the UI)', () => {
  it('keeps a link on the CRM origin', () => {
    expect(toContact(contact(`${CRM}/contacts/ct-1`), CRM)).toMatchObject({ id: 'ct-1', url: `${CRM}/contacts/ct-1`, emails: ['dana.buyer@customer.test', 'dana@gmail.com'] });
    expect(contactLink('https://crm.example.test:443/c/1', `${CRM}/`)).toBe('https://crm.example.test:443/c/1');
  });

  it.each([
    ['another host', 'https://evil.test/contacts/ct-1'],
    ['a look-alike host', 'https://crm.example.test.evil.test/contacts/ct-1'],
    ['a subdomain', 'https://login.crm.example.test/'],
    ['another port', 'https://crm.example.test:8443/contacts/ct-1'],
    ['plain http', 'http://crm.example.test/contacts/ct-1'],
    ['user info pointing elsewhere', 'https://crm.example.test@evil.test/'],
  ])('drops a link to %s', (_, url) => {
    expect(toContact(contact(url), CRM).url).toBeNull();
  });
});
