import { readFileSync } from 'node:fs';
import { loadEnv } from 'vite';
import { defineConfig } from 'wxt';
import { GOOGLE_SCOPES } from './lib/auth/clients';
import { manifestFor } from './lib/config/manifest';
import { WEBMAIL_MATCHES } from './lib/webmail/sites';

/** Pinned public key of development and e2e builds: keeps their id, and so the OAuth redirect URLs, stable. */
const devKey = readFileSync(new URL('./keys/extension-dev.pub', import.meta.url), 'utf8');

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  // Explicit imports everywhere: what a file uses is visible in the file.
  imports: false,
  // A release build (`npm run build`, `npm run zip`) gets its key from WXT_MANIFEST_KEY or none; see README.
  manifest: ({ mode }) => manifestFor({ mode, env: loadEnv(mode, process.cwd(), 'WXT_'), devKey, googleScopes: GOOGLE_SCOPES, webmailMatches: WEBMAIL_MATCHES }),
});
