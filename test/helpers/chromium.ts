/**
 * Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: the
 * browser reads commands on fd 3 and answers on fd 4, each message JSON ended by a NUL byte), so a
 * test can ask a page what it drew, scroll it and take a screenshot without a browser library.
 * Chromium comes from the system (scripts/setup-machine.sh installs it); a missing one fails.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

interface Message {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
}

export interface PageOptions {
  /** Defaults to true. */
  readonly javascript?: boolean;
  /** The viewport. Defaults to 1280 × 900. */
  readonly width?: number;
  readonly height?: number;
}

export interface Page {
  /** The value of a JavaScript expression in the page (DevTools evaluates it even with the page's scripts off). */
  evaluate<T>(expression: string): Promise<T>;
  /** A PNG of the viewport, or of `clip` (page coordinates). */
  screenshot(clip?: { x: number; y: number; width: number; height: number }): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openPage(url: string, options: PageOptions = {}): Promise<Page> {
  const profile = mkdtempSync(join(tmpdir(), 'instrument-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'];
  const browser = spawn('chromium', args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  browser.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const toBrowser = browser.stdio[3] as Writable;
  const fromBrowser = browser.stdio[4] as Readable;
  const waiting = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  const listeners: Array<(m: Message) => void> = [];
  let exited: Error | undefined;
  const fail = (error: Error) => {
    exited = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  browser.on('error', (e) => fail(new Error(`chromium could not start (${e.message}); scripts/setup-machine.sh installs it`)));
  browser.on('exit', (code) => fail(new Error(`chromium exited (${code}): ${stderr.slice(-2000)}`)));
  let buffered = '';
  fromBrowser.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let end: number;
    while ((end = buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffered.slice(0, end)) as Message;
      buffered = buffered.slice(end + 1);
      if (message.id !== undefined) {
        const w = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error) w?.reject(new Error(`DevTools: ${message.error.message}`));
        else w?.resolve(message);
      } else for (const l of listeners) l(message);
    }
  });
  let nextId = 1;
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> => {
    if (exited) return Promise.reject(exited);
    const id = nextId++;
    toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    return new Promise((resolve, reject) => waiting.set(id, { resolve: (m) => resolve(m.result ?? {}), reject }));
  };
  const event = (method: string, sessionId: string) =>
    new Promise<void>((resolve) => {
      const listener = (m: Message) => {
        if (m.method === method && m.sessionId === sessionId) {
          listeners.splice(listeners.indexOf(listener), 1);
          resolve();
        }
      };
      listeners.push(listener);
    });

  const { targetId } = (await send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
  const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
  await send('Page.enable', {}, sessionId);
  await send('Emulation.setDeviceMetricsOverride', { width: options.width ?? 1280, height: options.height ?? 900, deviceScaleFactor: 1, mobile: false }, sessionId);
  if (options.javascript === false) await send('Emulation.setScriptExecutionDisabled', { value: true }, sessionId);
  const loaded = event('Page.loadEventFired', sessionId);
  await send('Page.navigate', { url }, sessionId);
  await loaded;

  return {
    async evaluate<T>(expression: string): Promise<T> {
      const reply = (await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result: { value: T }; exceptionDetails?: { text: string; exception?: { description?: string } } };
      if (reply.exceptionDetails) throw new Error(`in the page: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`);
      return reply.result.value;
    },
    async screenshot(clip) {
      const reply = (await send('Page.captureScreenshot', { format: 'png', ...(clip ? { clip: { ...clip, scale: 1 }, captureBeyondViewport: true } : {}) }, sessionId)) as { data: string };
      return Buffer.from(reply.data, 'base64');
    },
    async close() {
      if (!exited) {
        const gone = new Promise((resolve) => browser.once('exit', resolve));
        await send('Browser.close').catch(() => undefined);
        await gone;
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
