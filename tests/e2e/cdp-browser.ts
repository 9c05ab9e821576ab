import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { EXTENSION_DIR } from './fixtures';

type Listener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

/** How a service worker's version reports its state in `ServiceWorker.workerVersionUpdated`. */
interface WorkerVersion {
  versionId: string;
  scriptURL: string;
  runningStatus: 'stopped' | 'starting' | 'running' | 'stopping';
}

/**
 * Debian's Chromium with the e2e build loaded, driven over the DevTools protocol (a pipe) without
 * Playwright. Playwright attaches a DevTools session to every service worker, and Chrome does not
 * stop a worker with DevTools attached, so a test about the worker's 30 s idle timeout, or
 * anything that must see the worker live as it would for a user, attaches only to pages.
 */
export class CdpBrowser {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Map<string, Listener[]>();
  /** Every state the extension's worker went through, with when (ms since launch). */
  readonly workerStates: { at: number; status: WorkerVersion['runningStatus'] }[] = [];
  /** When it was launched (epoch ms): `workerStates` count from here. */
  readonly launchedAt = Date.now();

  private constructor(
    private readonly process: ChildProcess,
    private readonly profile: string,
  ) {
    let buffered = '';
    (process.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\0')) >= 0) {
        this.dispatch(JSON.parse(buffered.slice(0, end)) as { id?: number; method?: string; params?: Record<string, unknown>; sessionId?: string; result?: unknown; error?: { message: string } });
        buffered = buffered.slice(end + 1);
      }
    });
  }

  /** Starts Chromium headless with a fresh profile and the extension of `EXTENSION_DIR`. */
  static async launch(): Promise<CdpBrowser> {
    const profile = mkdtempSync(path.join(tmpdir(), 'cdp-chromium-'));
    const child = spawn(
      '/usr/bin/chromium',
      [
        '--headless',
        '--no-sandbox',
        '--remote-debugging-pipe',
        `--user-data-dir=${profile}`,
        `--disable-extensions-except=${EXTENSION_DIR}`,
        `--load-extension=${EXTENSION_DIR}`,
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    return new CdpBrowser(child, profile);
  }

  /** Sends one DevTools command (to the browser, or to an attached target's session). */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = ++this.nextId;
    const answer = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
    (this.process.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    return answer;
  }

  on(method: string, listener: Listener): void {
    this.listeners.set(method, [...(this.listeners.get(method) ?? []), listener]);
  }

  private dispatch(message: { id?: number; method?: string; params?: Record<string, unknown>; sessionId?: string; result?: unknown; error?: { message: string } }): void {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
      return;
    }
    for (const listener of this.listeners.get(message.method ?? '') ?? []) listener(message.params ?? {}, message.sessionId);
  }

  /** The extension's id, read from its worker's target once it is registered. */
  async extensionId(): Promise<string> {
    for (let tries = 0; tries < 100; tries++) {
      const { targetInfos } = await this.send<{ targetInfos: { type: string; url: string }[] }>('Target.getTargets');
      const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
      if (worker) return new URL(worker.url).host;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('The extension’s service worker never registered.');
  }

  /**
   * Opens an extension page in a tab and attaches to it (only to it). Also watches the extension
   * worker's running state from that page (`ServiceWorker.enable`), into `workerStates`.
   */
  async openExtensionPage(extensionId: string, page: string): Promise<ExtensionPage> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: `chrome-extension://${extensionId}/${page}` });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    this.on('ServiceWorker.workerVersionUpdated', (params, from) => {
      if (from !== sessionId) return;
      for (const version of params.versions as WorkerVersion[]) {
        if (!version.scriptURL.startsWith(`chrome-extension://${extensionId}/`)) continue;
        if (this.workerStates.at(-1)?.status !== version.runningStatus) this.workerStates.push({ at: Date.now() - this.launchedAt, status: version.runningStatus });
      }
    });
    await this.send('ServiceWorker.enable', {}, sessionId);
    const extensionPage = new ExtensionPage(this, sessionId);
    for (let tries = 0; !(await extensionPage.evaluate(() => location.protocol === 'chrome-extension:' && document.readyState === 'complete', undefined)); tries++) {
      if (tries > 100) throw new Error(`${page} did not load.`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return extensionPage;
  }

  /** How many times the extension's worker started while a page watched it. */
  workerStarts(): number {
    return this.workerStates.filter((s) => s.status === 'starting').length;
  }

  /** Ends Chromium, then removes its profile (it writes there until it exits). */
  async close(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill();
      await exited;
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** An extension page attached over the DevTools protocol. */
export class ExtensionPage {
  constructor(
    private readonly browser: CdpBrowser,
    private readonly sessionId: string,
  ) {}

  /** Runs `fn(arg)` in the page (as its source text, so it must not close over anything) and returns its JSON value. */
  async evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    const answer = await this.browser.send<{ result: { value?: R }; exceptionDetails?: { exception?: { description?: string }; text: string } }>(
      'Runtime.evaluate',
      { expression: `(${fn.toString()})(${JSON.stringify(arg) ?? 'undefined'})`, awaitPromise: true, returnByValue: true },
      this.sessionId,
    );
    if (answer.exceptionDetails) throw new Error(answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text);
    return answer.result.value as R;
  }
}
