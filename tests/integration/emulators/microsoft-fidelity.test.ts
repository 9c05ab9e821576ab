import {
  type AuthenticationProvider,
  BatchRequestContent,
  BatchResponseContent,
  Client,
  type Context,
  GraphError,
  HTTPMessageHandler,
  type Middleware,
  RetryHandler,
  RetryHandlerOptions,
} from '@microsoft/microsoft-graph-client';
import type { Message } from '@microsoft/microsoft-graph-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { seededFolderOf } from '@/emulators/microsoft/mail-store';
import { signIn } from '@/emulators/microsoft/sign-in';

/**
 * Fidelity: Microsoft's own Graph JavaScript client (`@microsoft/microsoft-graph-client` 3.x) against
 * the emulator. Tokens come from a real code + PKCE flow against the emulator's identity platform.
 */
let emulators: RunningEmulators;
let base: string;
let accessToken: string;
const SUPPORT = 'support@acme-sales.test';

const admin = (path: string, body: unknown, method = 'POST') =>
  fetch(`${base}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
/** The ids of the support mailbox's seeded messages in a well-known folder. */
const seededIds = (folder: ReturnType<typeof seededFolderOf>) => emulators.context.world.messages.filter((m) => m.mailboxId === 'support' && seededFolderOf(m) === folder).map((m) => m.providerId);

const IMMUTABLE = 'IdType="ImmutableId"';

class EmulatorTokenProvider implements AuthenticationProvider {
  async getAccessToken(): Promise<string> {
    return accessToken;
  }
}

/**
 * Puts the bearer token on every request. The SDK's own AuthenticationHandler only does so for
 * https:// URLs (its host check starts with "https://"), so `customHosts` cannot cover a
 * plain-http emulator; the test below pins that down. Asks for immutable ids too, as the product
 * does (the ids compared below are the seeded immutable ones).
 */
class BearerHandler implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly provider: AuthenticationProvider) {}
  async execute(context: Context): Promise<void> {
    const token = await this.provider.getAccessToken();
    context.options = context.options ?? {};
    const headers = new Headers(context.options.headers as HeadersInit | undefined);
    headers.set('Authorization', `Bearer ${token}`);
    headers.set('Prefer', [headers.get('Prefer'), IMMUTABLE].filter(Boolean).join(', '));
    context.options.headers = Object.fromEntries(headers);
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** The official client with the SDK's RetryHandler (default options unless given) and fetch handler. */
function graphClient(retry: RetryHandlerOptions | null = new RetryHandlerOptions()): Client {
  const chain: Middleware[] = [new BearerHandler(new EmulatorTokenProvider())];
  if (retry) chain.push(new RetryHandler(retry));
  chain.push(new HTTPMessageHandler());
  return Client.initWithMiddleware({ middleware: chain, baseUrl: `${base}/`, defaultVersion: 'v1.0', customHosts: new Set([new URL(base).host]) });
}

/**
 * The SDK only recognises absolute links that start with "https://" (GraphRequest.parsePath), so
 * an absolute http:// link from the emulator must be handed to `client.api` as a path relative to
 * the version. (PageIterator passes links through unchanged, so it cannot page over http.)
 */
function relativeToVersion(link: string): string {
  const url = new URL(link);
  expect(url.origin).toBe(base);
  return `${url.pathname.replace(/^\/v1\.0/, '')}${url.search}`;
}

/**
 * A delta item with `$select=subject,from,receivedDateTime`, typed as Graph documents the message
 * resource: DateTimeOffset as ISO 8601 UTC without fractions, `from` a recipient with an email
 * address. Strict, so an extra or mistyped field fails the test.
 */
const deltaItemSchema = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.message'),
    '@odata.etag': z.string().regex(/^W\/"/),
    id: z.string().min(1),
    subject: z.string(),
    receivedDateTime: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    from: z.object({ emailAddress: z.object({ name: z.string(), address: z.string() }).strict() }).strict(),
  })
  .strict();

/** Pages a delta round by following @odata.nextLink to the @odata.deltaLink. */
async function deltaRound(client: Client, start: string, pageSize: number) {
  const items: Message[] = [];
  let pages = 0;
  let path = start;
  for (;;) {
    const page = await client.api(path).header('Prefer', `odata.maxpagesize=${pageSize}`).get();
    pages++;
    expect(page.value.length).toBeLessThanOrEqual(pageSize);
    items.push(...(page.value as Message[]));
    if (page['@odata.deltaLink']) return { items, pages, deltaLink: page['@odata.deltaLink'] as string };
    path = relativeToVersion(page['@odata.nextLink']);
  }
}

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 7 });
  base = emulators.urls.microsoft;
  const { tokens } = await signIn(base, { loginHint: SUPPORT });
  accessToken = String(tokens!.access_token);
});
afterAll(() => emulators.stop());

describe('@microsoft/microsoft-graph-client against the Graph emulator', () => {
  let inboxDeltaLink: string;

  it('reads /me through the client', async () => {
    const me = await graphClient().api('/me').select('displayName,mail').get();
    expect(me).toMatchObject({ displayName: 'Acme Support', mail: SUPPORT });
  });

  it("pages inbox delta with Prefer: odata.maxpagesize to a delta link; ids equal the mailbox's seeded inbox", async () => {
    const round = await deltaRound(graphClient(), '/me/mailFolders/inbox/messages/delta?$select=subject,from,receivedDateTime', 25);
    const expected = seededIds('inbox');
    expect(expected.length).toBeGreaterThan(50);
    expect(round.pages).toBeGreaterThan(2);
    expect(round.items.map((m) => m.id).sort()).toEqual([...expected].sort());
    for (const item of round.items) deltaItemSchema.parse(item);
    expect(round.deltaLink).toMatch(new RegExp(`^${base}/v1\\.0/me/mailFolders/inbox/messages/delta\\?\\$deltatoken=`));
    inboxDeltaLink = round.deltaLink;
  });

  it('calls the delta link after a delivery and sees only the new message', async () => {
    const { id } = await (await admin('/microsoft/deliver', { to: SUPPORT, from: { name: 'Zoë Ärger', address: 'zoe@orchid-energy.test' }, subject: 'New ticket', body: 'Hello support' })).json();
    const round = await deltaRound(graphClient(), relativeToVersion(inboxDeltaLink), 25);
    expect(round.items.map((m) => m.id)).toEqual([id]);
    expect(round.items[0]).toMatchObject({ subject: 'New ticket', from: { emailAddress: { name: 'Zoë Ärger', address: 'zoe@orchid-energy.test' } } });
    // The delta link keeps the first request's $select.
    expect(Object.keys(round.items[0]!).sort()).toEqual(['@odata.etag', '@odata.type', 'from', 'id', 'receivedDateTime', 'subject']);
    inboxDeltaLink = round.deltaLink;
  });

  it('sendMail returns 202 and the message shows up in the recipient inbox delta and in sent items', async () => {
    const client = graphClient();
    const sentBefore = await deltaRound(client, '/me/mailFolders/sentitems/messages/delta?$select=subject', 100);
    await client.api('/me/sendMail').post({
      message: {
        subject: 'Loop test',
        body: { contentType: 'Text', content: 'Sent through the official client.' },
        toRecipients: [{ emailAddress: { address: 'help@acme-sales.test', name: 'Help' } }],
      },
      saveToSentItems: true,
    });
    const inbox = await deltaRound(client, relativeToVersion(inboxDeltaLink), 25);
    expect(inbox.items).toHaveLength(1);
    expect(inbox.items[0]).toMatchObject({ subject: 'Loop test', from: { emailAddress: { address: SUPPORT } } });
    const copy: Message = await client.api(`/me/messages/${inbox.items[0]!.id}`).select('toRecipients,body,isRead').get();
    expect(copy).toMatchObject({ isRead: false, toRecipients: [{ emailAddress: { address: 'help@acme-sales.test', name: 'Help' } }], body: { contentType: 'text', content: 'Sent through the official client.' } });
    const sent = await deltaRound(client, relativeToVersion(sentBefore.deltaLink), 25);
    expect(sent.items.map((m) => m.subject)).toEqual(['Loop test']);
    const log = await (await fetch(`${base}/__admin/requests?service=microsoft&path=sendMail`)).json();
    expect(log.at(-1).status).toBe(202);
  });

  it('runs a $batch built with BatchRequestContent and reads it with BatchResponseContent', async () => {
    const [first, second] = seededIds('inbox');
    const batch = new BatchRequestContent([
      { id: '1', request: new Request(`${base}/v1.0/me/messages/${first}?$select=subject`, { headers: { Prefer: IMMUTABLE } }) },
      { id: '2', request: new Request(`${base}/v1.0/me/messages/${second}?$select=subject`, { headers: { Prefer: IMMUTABLE } }) },
      { id: '3', request: new Request(`${base}/v1.0/me/messages/missing`) },
    ]);
    const raw = await graphClient().api('/$batch').post(await batch.getContent());
    const responses = new BatchResponseContent(raw);
    expect((await responses.getResponseById('1').json()).id).toBe(first);
    expect((await responses.getResponseById('2').json()).id).toBe(second);
    expect(responses.getResponseById('3').status).toBe(404);
  });

  it("the SDK's own AuthenticationHandler leaves plain-http hosts without a token (why BearerHandler exists)", async () => {
    const client = Client.initWithMiddleware({ authProvider: new EmulatorTokenProvider(), baseUrl: `${base}/`, defaultVersion: 'v1.0', customHosts: new Set([new URL(base).host]) });
    const error = await client.api('/me').get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).statusCode).toBe(401);
    expect((error as GraphError).message).toBe('Access token is empty.');
  });

  describe('throttling', () => {
    afterAll(async () => {
      await admin('/config', { graphConcurrency: 4, graphRequestsPer10Min: 10_000 }, 'PUT');
      await admin('/microsoft/latency', { ms: 0 });
    });

    it('surfaces 429 TooManyRequests with Retry-After and Graph error body when retries are off', async () => {
      await admin('/reset', {});
      await admin('/config', { graphRequestsPer10Min: 2 }, 'PUT');
      const client = graphClient(null);
      await client.api('/me').get();
      await client.api('/me').get();
      const error = (await client.api('/me').get().catch((e: unknown) => e)) as GraphError;
      expect(error).toBeInstanceOf(GraphError);
      expect(error.statusCode).toBe(429);
      expect(error.code).toBe('TooManyRequests');
      expect(Number(error.headers?.get('Retry-After'))).toBeGreaterThan(0);
      expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(error.date).toBeInstanceOf(Date);
    });

    it('retries a concurrency 429 after Retry-After with the default RetryHandler and succeeds', async () => {
      await admin('/reset', {});
      await admin('/config', { graphConcurrency: 1 }, 'PUT');
      await admin('/microsoft/latency', { ms: 300 });
      const since = (await (await fetch(`${base}/__admin/requests?service=microsoft`)).json()).at(-1)?.seq ?? 0;
      const client = graphClient();
      const results = await Promise.all([client.api('/me').get(), client.api('/me').get()]);
      expect(results.map((me) => me.mail)).toEqual([SUPPORT, SUPPORT]);
      const log = await (await fetch(`${base}/__admin/requests?service=microsoft&path=${encodeURIComponent('^/v1\\.0/me$')}&since=${since}`)).json();
      expect(log.map((e: { status: number }) => e.status).sort()).toEqual([200, 200, 429]);
    });
  });
});
