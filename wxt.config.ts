import { readFileSync } from 'node:fs';
import { loadEnv } from 'vite';
import { defineConfig } from 'wxt';
import { GOOGLE_SCOPES } from './lib/auth/clients';
import { hostPermissionsFor, resolveEndpoints } from './lib/config/endpoints';

/** Pinned public key: keeps the extension id, and so the OAuth redirect URL, stable. */
const manifestKey = readFileSync(new URL('./keys/extension-dev.pub', import.meta.url), 'utf8').trim();

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  // Explicit imports everywhere: what a file uses is visible in the file.
  imports: false,
  manifest: ({ mode }) => {
    const endpoints = resolveEndpoints(loadEnv(mode, process.cwd(), 'WXT_'));
    return {
      name: 'Mailbox to CRM',
      description: 'Keeps CRM contact timelines filled with the customer email that matters, and shows who you are writing to.',
      key: manifestKey,
      permissions: ['identity', 'storage', 'alarms', 'unlimitedStorage'],
      host_permissions: hostPermissionsFor(endpoints),
      // The CRM base URL is typed by the user (R8), so its origin is requested at runtime.
      optional_host_permissions: ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*'],
      action: { default_title: 'Mailbox to CRM' },
      // Chrome's own Google sign-in (identity.getAuthToken) needs the client in the manifest (R1).
      ...(endpoints.google.chromeClientId ? { oauth2: { client_id: endpoints.google.chromeClientId, scopes: GOOGLE_SCOPES } } : {}),
    };
  },
});
