import { z } from 'zod';
import { hostPermissionsFor, resolveEndpoints } from './endpoints';

/** This machine's hosts, every port: what a development or e2e build may reach. */
const LOCAL_HOSTS = ['http://127.0.0.1/*', 'http://localhost/*'];

/** WXT modes that build for this machine: `wxt` (dev server) and `wxt build --mode e2e`. */
const LOCAL_MODES: ReadonlySet<string> = new Set(['development', 'e2e']);

/** A release's `manifest.key`: the store item's public key, base64 DER, as the dashboard shows it. */
const releaseKeySchema = z.object({ WXT_MANIFEST_KEY: z.base64().min(1).optional() });

export interface ManifestInput {
  /** WXT's mode: `development`, `production`, `e2e`, or any `--mode`. */
  mode: string;
  /** The `WXT_*` variables of that mode (dotenv files and the environment). */
  env: Record<string, string | undefined>;
  /** `keys/extension-dev.pub`: pins the id of development and test builds. */
  devKey: string;
  /** Scopes of the manifest's `oauth2` entry, when a Chrome client id is configured. */
  googleScopes: readonly string[];
  /** The webmail pages' match patterns (`lib/webmail/sites.ts`): the only pages that may embed the sidebar frame. */
  webmailMatches: readonly string[];
}

/**
 * The manifest fields that depend on the build (R1, R8). A development or e2e build carries the
 * committed development key, so its id and redirect URLs are the same everywhere, and may reach
 * the local CRM it is pointed at. Any other mode is a release: its key comes from
 * `WXT_MANIFEST_KEY` or is left out (the store then assigns the id), and it may not ask for plain
 * http on this machine.
 */
export function manifestFor(input: ManifestInput): Record<string, unknown> {
  const present = Object.fromEntries(Object.entries(input.env).filter(([, value]) => value !== undefined && value !== ''));
  const endpoints = resolveEndpoints(present);
  const local = LOCAL_MODES.has(input.mode);
  const key = local ? input.devKey.trim() : releaseKeySchema.parse(present).WXT_MANIFEST_KEY;
  // A local build talks to the emulators and to local CRMs on any port (a test's own servers
  // among them), so this machine's hosts are granted at install and no test meets a prompt. A
  // release asks at runtime for the one https origin the user types (R8), port included.
  const hosts = [...hostPermissionsFor(endpoints), ...(local ? LOCAL_HOSTS : [])];
  return {
    name: 'Mailbox to CRM',
    description: 'Keeps CRM contact timelines filled with the customer email that matters, and shows who you are writing to.',
    ...(key ? { key } : {}),
    permissions: ['identity', 'storage', 'alarms', 'unlimitedStorage'],
    host_permissions: [...new Set(hosts)],
    // The CRM base URL is typed by the user (R8), so its origin is requested at runtime.
    optional_host_permissions: ['https://*/*'],
    // No other extension and no web page may message the background (Chrome: empty lists allow none).
    externally_connectable: { ids: [], matches: [] },
    action: { default_title: 'Mailbox to CRM' },
    // The sidebar frame (issue 11) may be embedded by the webmail pages only; any other site that
    // tries gets Chrome's refusal, and a webmail page that embeds it itself gets no data.
    web_accessible_resources: [{ resources: ['sidebar-frame.html'], matches: [...input.webmailMatches] }],
    // Chrome's own Google sign-in (identity.getAuthToken) needs the client in the manifest (R1).
    ...(endpoints.google.chromeClientId ? { oauth2: { client_id: endpoints.google.chromeClientId, scopes: [...input.googleScopes] } } : {}),
  };
}
