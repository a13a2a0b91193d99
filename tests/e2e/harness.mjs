// Test harness for the end-to-end suite: the real chatterbox binary on an ephemeral port, Debian's
// Chromium through playwright-core, and bounded waits. Nothing here sleeps to synchronise: every
// wait polls a condition until a deadline.

import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../..');
export const ARTIFACTS = path.join(HERE, 'artifacts');

export const WAIT_MS = 10_000; // default bound of every wait for the UI
const SERVER_START_MS = 20_000;
const SERVER_STOP_MS = 15_000;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

// Polls `check` (which throws or returns false while the condition does not hold) until it
// passes or `timeout` ms have gone by; then rethrows its last failure.
export async function eventually(check, { timeout = WAIT_MS, interval = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return result;
      last = new Error(`timed out after ${timeout} ms waiting for ${message}`);
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw last;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

// One chatterbox process. start() resolves with the port it reports; stop() sends SIGTERM and
// waits for a clean exit.
export class Server {
  #binary;
  #db;
  #log = [];
  #process = null;
  port = null;

  constructor(binary, db) {
    this.#binary = binary;
    this.#db = db;
  }

  get log() {
    return this.#log.join('');
  }

  get running() {
    return this.#process !== null;
  }

  async start(port = 0) {
    const args = ['--port', String(port), '--db', this.#db, '--argon2-ops', '1', '--argon2-mem-kib', '8',
      // Every test logs in from 127.0.0.1; the login limits are tested in C++.
      '--login-free-failures', '1000', '--login-failures-per-address', '1000',
      // "bob left" within a UI wait (10 s) rather than after the default 10 s grace; the grace
      // itself, and restarts that show no leave, are tested in C++ (integration_presence_test).
      '--presence-grace', '2'];
    if (process.env.CHATTERBOX_E2E_WEB_DIR) args.push('--web-dir', process.env.CHATTERBOX_E2E_WEB_DIR);
    this.#log.push(`\n$ ${this.#binary} ${args.join(' ')}\n`);
    const child = spawn(this.#binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process = child;
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.exited = exited;
    exited.then(({ code, signal }) => {
      this.#log.push(`[exited code=${code} signal=${signal}]\n`);
      if (this.#process === child) this.#process = null;
    });
    const listening = new Promise((resolve) => {
      let buffered = '';
      const onData = (chunk) => {
        const text = chunk.toString();
        this.#log.push(text);
        buffered += text;
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(buffered);
        if (match) resolve(Number(match[1]));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    let timer;
    const outcome = await Promise.race([
      listening,
      exited.then(({ code, signal }) => new Error(`chatterbox exited (code ${code}, signal ${signal}) before listening`)),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(new Error(`chatterbox did not report listening within ${SERVER_START_MS} ms`)), SERVER_START_MS);
      }),
    ]);
    clearTimeout(timer);
    if (outcome instanceof Error) {
      child.kill('SIGKILL');
      throw new Error(`${outcome.message}\n--- server output ---\n${this.log}`);
    }
    this.port = outcome;
    return outcome;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop() {
    const child = this.#process;
    if (!child) return;
    child.kill('SIGTERM');
    let timer;
    const result = await Promise.race([
      child.exited,
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(null), SERVER_STOP_MS);
      }),
    ]);
    clearTimeout(timer);
    if (result === null) {
      child.kill('SIGKILL');
      await child.exited;
      throw new Error(`chatterbox did not exit within ${SERVER_STOP_MS} ms of SIGTERM`);
    }
  }

  kill() {
    this.#process?.kill('SIGKILL');
  }
}

export function sqlite(db, sql) {
  return execFileSync('sqlite3', ['-batch', '-bail', db], { input: sql, encoding: 'utf8' });
}

// Screenshots of every open page and the server log, for a failed step.
export async function saveArtifacts(name, pages, server) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60);
  for (const [label, page] of Object.entries(pages)) {
    if (!page || page.isClosed()) continue;
    try {
      await page.screenshot({ path: path.join(ARTIFACTS, `${safe}-${label}.png`), timeout: 5000 });
    } catch {
      // a crashed page has no screenshot; the log below still helps
    }
  }
  if (server) writeFileSync(path.join(ARTIFACTS, 'server.log'), server.log);
}
