import { describe, expect, it } from 'vitest';
import { crmRecordLink } from '@/components/crm-record';

const CRM = 'https://crm.acme.test/api';

describe('crmRecordLink: only the CRM’s own http(s) records are linked (the URL is the CRM’s, untrusted)', () => {
  it('links a record on the CRM origin', () => {
    expect(crmRecordLink('https://crm.acme.test/contacts/c-1', CRM)).toBe('https://crm.acme.test/contacts/c-1');
    expect(crmRecordLink('http://127.0.0.1:47192/contacts/c-1', 'http://127.0.0.1:47192')).toBe('http://127.0.0.1:47192/contacts/c-1');
  });

  it('links nothing elsewhere, on another scheme, with credentials, unparsable, or without a CRM', () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'https://crm.acme.test.evil.test/contacts/c-1', 'http://crm.acme.test/contacts/c-1', 'https://crm.acme.test:8443/c', 'https://x@crm.acme.test/c', 'not a url', '']) {
      expect(crmRecordLink(url, CRM)).toBeNull();
    }
    expect(crmRecordLink(null, CRM)).toBeNull();
    expect(crmRecordLink('https://crm.acme.test/contacts/c-1', null)).toBeNull();
  });
});
