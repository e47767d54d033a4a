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

// SOMA_WEB_DIST: another build's folder (e.g. one from before a change, to see a test fail on it).
export const DIST = process.env.SOMA_WEB_DIST || path.join(root, 'web/dist');
export const CHROMIUM_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-gpu-sandbox', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export async function start(dist = DIST) {
  if (!fs.existsSync(path.join(dist, 'soma_web.wasm'))) throw new Error('run `make web` first');
  const { server, url } = await serve(dist);
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

// Frames in `ms` of wall time: requestAnimationFrame callbacks per second (the page's frame rate:
// how often it can answer input and show a change), their 90th-percentile interval, and frames
// drawn per second (the page leaves a frame identical to the last one on screen instead of
// drawing it again); what the playground handed the renderer in its last frame (vertices,
// indices, draw calls) and its draw time (its own work and the WebGL calls; SwiftShader
// rasterises in the GPU process, which shows in the frame rate).
export async function measureFrames(page, ms = 3000) {
  const a = await state(page);
  const f = await page.evaluate((span) => new Promise((resolve) => {
    const gaps = [];
    let last = performance.now();
    const t0 = last;
    const tick = (now) => {
      gaps.push(now - last);
      last = now;
      if (now - t0 < span) requestAnimationFrame(tick);
      else resolve({ fps: gaps.length / ((now - t0) / 1000), seconds: (now - t0) / 1000, gaps });
    };
    requestAnimationFrame(tick);
  }), ms);
  const s = await state(page);
  const sorted = f.gaps.slice(1).sort((x, y) => x - y);
  return { fps: f.fps, p90_ms: sorted[Math.floor(sorted.length * 0.9)] || 0,
           // (a build from before the count drew every frame)
           drawn_fps: s.frames_drawn === undefined ? f.fps : (s.frames_drawn - a.frames_drawn) / f.seconds,
           steps_per_s: (s.steps - a.steps) / f.seconds,
           vertices: s.vertices, indices: s.indices, draw_calls: s.draw_calls,
           draw_ms: s.draw_ms, ui_ms: s.ui_ms, step_ms: s.mean_step_ms };
}
