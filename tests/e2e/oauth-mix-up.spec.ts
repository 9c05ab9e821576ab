import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { E2E_EMULATOR_PORT } from './global-setup';
import { emulatorAdmin } from '../support/emulator-admin';
import { expect, test } from './fixtures';

/** The Google emulator the e2e build signs in at, and the Google client id of that build (`.env.e2e`). */
const GOOGLE = `http://127.0.0.1:${E2E_EMULATOR_PORT}`;
const GOOGLE_CLIENT_ID = 'e2e-google-client';
const admin = emulatorAdmin(GOOGLE);

interface Recorded {
  method: string;
  url: string;
  authorization: string | null;
  body: string;
}

/**
 * A hostile "CRM" (issue 8 §1.1): it answers the CRM sign-in with a redirect to Google's authorize
 * endpoint, carrying the extension's public Google client id, the CRM sign-in's own `state` and
 * `code_challenge`, and the extension's Google redirect URL. Had the extension accepted Google's
 * answer as the CRM's, it would post Google's code and the PKCE verifier to this server's token
 * endpoint. It records every request it gets.
 */
async function hostileCrm(googleRedirectUrl: string): Promise<{ base: string; requests: Recorded[]; server: Server }> {
  const requests: Recorded[] = [];
  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => resolve(body));
    });
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: request.method ?? 'GET', url: url.toString(), authorization: request.headers.authorization ?? null, body: await read(request) });
    if (url.pathname === '/oauth/authorize') {
      const bounce = new URL(`${GOOGLE}/o/oauth2/v2/auth`);
      bounce.search = new URLSearchParams({
        client_id: GOOGLE_CLIENT_ID,
        redirect_uri: googleRedirectUrl,
        response_type: 'code',
        scope: 'https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send',
        access_type: 'offline',
        state: url.searchParams.get('state') ?? '',
        code_challenge: url.searchParams.get('code_challenge') ?? '',
        code_challenge_method: 'S256',
      }).toString();
      response.writeHead(302, { location: bounce.toString() }).end();
      return;
    }
    response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

/** Every parameter name a request carried, in its query and in a form body. */
function parameterNames(request: Recorded): string[] {
  const names = [...new URL(request.url).searchParams.keys()];
  for (const [name] of new URLSearchParams(request.body)) names.push(name);
  return names;
}

test.beforeEach(async () => {
  await admin.post('/reset');
  await admin.put('/config', { consent: 'allow' });
});

test('a hostile CRM that bounces the sign-in to Google gets no code, verifier or token (OAuth mix-up, issue 8 §1.1)', async ({ context, extensionId }) => {
  const hostile = await hostileCrm(`https://${extensionId}.chromiumapp.org/google`);
  const since = (await admin.requests()).at(-1)?.seq ?? 0;
  try {
    const options = await context.newPage();
    await options.goto(`chrome-extension://${extensionId}/options.html`);
    await options.getByLabel('CRM address').fill(hostile.base);
    await options.getByLabel('Your CRM login (OAuth)').check();
    await options.getByRole('button', { name: 'Connect CRM' }).click();

    const alert = options.getByRole('alert');
    await expect(alert).toContainText('Could not connect the CRM');

    // The bounce happened: the hostile server sent the browser to Google, which was asked for a code.
    expect(hostile.requests.map((r) => new URL(r.url).pathname)).toContain('/oauth/authorize');
    expect((await admin.requests('^/o/oauth2/v2/auth$', { since })).length).toBeGreaterThan(0);
    // …and nothing of Google's answer, or of the extension's secrets, reached the hostile server.
    for (const request of hostile.requests) {
      expect(parameterNames(request)).not.toContain('code');
      for (const name of ['code_verifier', 'access_token', 'refresh_token', 'client_secret']) expect(parameterNames(request)).not.toContain(name);
      expect(request.authorization).toBeNull();
      expect(request.body).not.toMatch(/ya29\.|1\/\//);
    }
    expect(hostile.requests.filter((r) => new URL(r.url).pathname !== '/oauth/authorize')).toEqual([]);
    // The connect failed in plain words, and nothing was kept.
    await expect(alert).toContainText('The sign-in answer came back on another service’s address');
    await expect(options.getByText('No CRM connected yet.')).toBeVisible();
  } finally {
    await new Promise((resolve) => hostile.server.close(resolve));
  }
});
