import { describe, expect, it } from 'vitest';
import { hostPermissionsFor, originMatchPattern, resolveEndpoints } from '@/lib/config/endpoints';

describe('resolveEndpoints', () => {
  it('defaults to the real Google and Microsoft hosts', () => {
    const e = resolveEndpoints({});
    expect(e.google.tokenUrl).toBe('https://oauth2.googleapis.com/token');
    expect(e.google.gmailApiUrl).toBe('https://gmail.googleapis.com');
    expect(e.microsoft.authorityUrl).toBe('https://login.microsoftonline.com/common/oauth2/v2.0');
    expect(e.microsoft.graphApiUrl).toBe('https://graph.microsoft.com');
    expect(e.crm.defaultBaseUrl).toBe('');
    expect(hostPermissionsFor(e)).toEqual([
      'https://oauth2.googleapis.com/*',
      'https://gmail.googleapis.com/*',
      'https://login.microsoftonline.com/*',
      'https://graph.microsoft.com/*',
    ]);
  });

  it('takes every endpoint from the env file, treating empty values as unset', () => {
    const e = resolveEndpoints({
      WXT_GOOGLE_TOKEN_URL: 'http://127.0.0.1:47101/token',
      WXT_GMAIL_API_URL: 'http://127.0.0.1:47101/',
      WXT_GRAPH_API_URL: 'http://127.0.0.1:47102',
      WXT_MICROSOFT_AUTHORITY_URL: 'http://127.0.0.1:47102/common/oauth2/v2.0',
      WXT_CRM_BASE_URL: 'http://127.0.0.1:47103/',
      WXT_GOOGLE_REVOKE_URL: '',
    });
    expect(e.google.gmailApiUrl).toBe('http://127.0.0.1:47101');
    expect(e.crm.defaultBaseUrl).toBe('http://127.0.0.1:47103');
    expect(e.google.revokeUrl).toBe('https://oauth2.googleapis.com/revoke');
    expect(hostPermissionsFor(e)).toEqual(['http://127.0.0.1:47101/*', 'https://oauth2.googleapis.com/*', 'http://127.0.0.1:47102/*']);
  });

  it('rejects a value that is not a URL, naming the variable', () => {
    expect(() => resolveEndpoints({ WXT_GRAPH_API_URL: 'graph.microsoft.com' })).toThrow(/WXT_GRAPH_API_URL/);
  });

  it('builds match patterns that keep the port, so a grant covers one server only', () => {
    expect(originMatchPattern('https://crm.example.test:8443/public/v1')).toBe('https://crm.example.test:8443/*');
    expect(originMatchPattern('http://127.0.0.1:47192')).toBe('http://127.0.0.1:47192/*');
    // A default port is no port (URL drops it), as the browser sees the origin.
    expect(originMatchPattern('https://crm.example.test:443/')).toBe('https://crm.example.test/*');
  });
});
