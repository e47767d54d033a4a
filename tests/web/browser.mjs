// Shared by the browser tests: a static server for web/dist on a free port and Debian's chromium
// driven by playwright-core (installed into .deps/npm by scripts/setup.sh; never a downloaded
// browser). WebGL2 runs on SwiftShader, so no GPU is needed.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../web/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, '.deps/npm/package.json'));
const { chromium } = require('playwright-core');

export const DIST = path.join(root, 'web/dist');
export const CHROMIUM_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-gpu-sandbox', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export async function start() {
  if (!fs.existsSync(path.join(DIST, 'soma_web.wasm'))) throw new Error('run `make web` first');
  const { server, url } = await serve(DIST);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                          headless: true, args: CHROMIUM_ARGS });
  return { server, url, browser };
}

// Opens the page at `query` and waits for the playground; collects console errors.
export async function open(browser, url, query) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(url + (query ? '?' + query : ''));
  await page.waitForFunction(() => window.somaLoadedMs !== undefined &&
                                   window.soma.state().task !== undefined, null, { timeout: 60000 });
  return { page, errors, loadMs: Date.now() - t0 };
}

export const state = (page) => page.evaluate(() => window.soma.state());

// Waits until the playground has done at least `steps` steps.
export async function waitSteps(page, steps, timeout = 60000) {
  await page.waitForFunction((n) => window.soma.state().steps >= n, steps, { timeout, polling: 100 });
  return state(page);
}
