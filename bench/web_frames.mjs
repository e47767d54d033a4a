// Frame rate of the web playground, builds side by side: `node bench/web_frames.mjs DIST...`
// (each a `make web` output folder, e.g. a copy of web/dist from before a change and web/dist).
// Each round opens the memory demo at 1280 x 800 in headless Chromium (SwiftShader WebGL2) once
// per build, in turn, so a busy machine's load falls on every build alike; prints per build the
// median over rounds of the frames per second (and of them drawn: an old build draws every
// one), training steps per second, the vertices / indices / draw calls handed to the
// renderer per frame, the draw time the page measures, and the first paint / first frame times.
// Options: ROUNDS (5), SECONDS per measurement (3), QUERY (task=memory), WIDTH, HEIGHT.
import os from 'node:os';
import { start, state, waitSteps, measureFrames } from '../tests/web/browser.mjs';

const dists = process.argv.slice(2);
if (dists.length === 0) {
  console.error('usage: node bench/web_frames.mjs DIST [DIST...]');
  process.exit(2);
}
const rounds = Number(process.env.ROUNDS || 5), seconds = Number(process.env.SECONDS || 3);
const query = process.env.QUERY || 'task=memory';
const viewport = { width: Number(process.env.WIDTH || 1280), height: Number(process.env.HEIGHT || 800) };

const sites = [];
for (const d of dists) sites.push({ dist: d, ...(await start(d)), runs: [] });
try {
  for (let r = 0; r < rounds; r++)
    for (const s of sites) {
      const page = await s.browser.newPage({ viewport });
      await page.goto(s.url + '?' + query);
      await page.waitForFunction(() => window.somaLoadedMs !== undefined && window.soma.state().task,
                                 null, { timeout: 60000 });
      const t = await page.evaluate(() => ({ paint: window.somaFirstPaintMs, frame: window.somaFirstFrameMs }));
      if (!/(^|&)run=0/.test(query)) await waitSteps(page, 3);
      s.runs.push({ ...(await measureFrames(page, seconds * 1000)), ...t });
      await page.close();
    }
} finally {
  for (const s of sites) { await s.browser.close(); s.server.close(); }
}

const median = (xs) => { const v = xs.filter((x) => x !== undefined).sort((a, b) => a - b); return v.length ? v[v.length >> 1] : NaN; };
console.log(`${os.cpus()[0].model}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}; ` +
            `${query} at ${viewport.width} x ${viewport.height}, ${rounds} rounds of ${seconds} s, medians:`);
for (const s of sites) {
  const m = (k) => median(s.runs.map((x) => x[k]));
  console.log(`${s.dist}: ${m('fps').toFixed(1)} fps (all: ${s.runs.map((x) => x.fps.toFixed(1)).join(' ')}), ` +
              `${m('drawn_fps').toFixed(1)} frames drawn per second, ${m('steps_per_s').toFixed(1)} training steps per second, ` +
              `90% of frames within ${m('p90_ms').toFixed(0)} ms, ${m('vertices')} vertices, ${m('indices')} indices, ` +
              `${m('draw_calls')} draw calls per frame, ${m('draw_ms').toFixed(1)} ms drawing ` +
              `(${m('ui_ms').toFixed(1)} ms building the UI), ${m('step_ms').toFixed(1)} ms per step; ` +
              `first paint ${m('paint')?.toFixed(0)} ms, first frame ${m('frame')?.toFixed(0)} ms`);
}
