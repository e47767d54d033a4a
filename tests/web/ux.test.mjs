// The playground as a new user meets it (issue 18): each test here failed before its fix. The
// wheel scrolls the parameter list the right way and by a notch, Save config is a passing notice
// (not an error, shown once), Export NIR downloads an HDF5 file, URL values stay within what a tab affords and each rejected one is
// named once with the rest applied, run=0 survives a reload, device=cuda is refused, Ctrl+A
// stays in the canvas, the microcircuit plots each seed, a phone-sized page fits. Also measures
// what a first visit costs: load time, bytes moved, frame rate and draw time. Needs `make web`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, open, state, waitSteps, measureFrames } from './browser.mjs';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await ctx?.browser.close(); ctx?.server.close(); });

const frames = (page, n = 6) => page.evaluate((k) => new Promise((resolve) => {
  const tick = () => (k-- <= 0 ? resolve() : requestAnimationFrame(tick));
  tick();
}), n);

const count = (text, part) => text.split(part).length - 1;

test('the mouse wheel scrolls the parameter list down by a notch, and back up', async () => {
  // A short window, so the parameter list overflows its panel.
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 300 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(ctx.url + '?task=memory');
  await page.waitForFunction(() => window.somaLoadedMs !== undefined && window.soma.state().task);
  await frames(page);
  const [y0, max] = (await state(page)).controls_scroll;
  assert.equal(y0, 0);
  assert.ok(max > 100, `the list should overflow its panel (max ${max})`);
  const box = await page.locator('canvas').boundingBox();
  await page.mouse.move(box.x + 120, box.y + box.height / 2);
  await page.mouse.wheel(0, 100);  // one notch down
  await frames(page);
  const [y1] = (await state(page)).controls_scroll;
  assert.ok(y1 > 10 && y1 < 200, `one notch down scrolled to ${y1} px`);
  await page.mouse.wheel(0, -100);
  await frames(page);
  assert.equal((await state(page)).controls_scroll[0], 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Save config: a notice that clears, never the error bar', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url, 'task=memory&seed=11');
  await page.evaluate(() => window.soma.saveConfig());
  await frames(page, 2);
  const s = await state(page);
  assert.match(s.notice, /saved \/tmp\/soma\/params\.json/);
  assert.equal(s.message, '');
  assert.equal(await page.isVisible('#message'), false);
  await page.waitForFunction(() => window.soma.state().notice === '', null, { timeout: 8000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('Export NIR: the trained network downloads as an HDF5 file, built without libhdf5', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url, 'task=cartpole&policy=snn&seed=3');
  await waitSteps(page, 2);
  const [download] = await Promise.all([page.waitForEvent('download'),
                                        page.evaluate(() => window.soma.exportNir())]);
  assert.equal(download.suggestedFilename(), 'cartpole.nir');
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  assert.equal(bytes.subarray(0, 8).toString('latin1'), '\x89HDF\r\n\x1a\n');
  assert.equal(Number(bytes.readBigUInt64LE(28)), bytes.length);  // the superblock's end of file
  for (const part of ['OHDR', 'GCOL', 'CubaLIF', 'soma.config'])
    assert.ok(bytes.includes(part), `the file holds ${part}`);
  const s = await state(page);
  assert.match(s.notice, /saved \/tmp\/soma\/cartpole\.nir \(NIR, \d+ nodes\)/);
  assert.equal(s.message, '');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Import NIR: a downloaded network loads into another run; a cut file is named', async () => {
  const a = await open(ctx.browser, ctx.url, 'task=cartpole&policy=snn&seed=3');
  await waitSteps(a.page, 2);
  const [download] = await Promise.all([a.page.waitForEvent('download'),
                                        a.page.evaluate(() => window.soma.exportNir())]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const bytes = [...Buffer.concat(chunks)];
  const b = await open(ctx.browser, ctx.url, 'task=cartpole&policy=snn&seed=4');
  await waitSteps(b.page, 2);
  await b.page.evaluate((x) => window.soma.importNir(new Uint8Array(x)), bytes);
  let s = await state(b.page);
  assert.match(s.notice, /loaded \/tmp\/soma\/upload\/model\.nir \(NIR, \d+ nodes\)/);
  assert.equal(s.message, '');
  await b.page.evaluate((x) => window.soma.importNir(new Uint8Array(x)), bytes.slice(0, 300));
  s = await state(b.page);
  assert.match(s.message, /model\.nir: truncated/);
  await waitSteps(b.page, s.steps + 1);  // still running
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.page.close();
  await b.page.close();
});

test('a file dropped on the page loads by its name; another kind is named', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url, 'task=cartpole&policy=snn&seed=3');
  await waitSteps(page, 2);
  const [download] = await Promise.all([page.waitForEvent('download'),
                                        page.evaluate(() => window.soma.exportNir())]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const drop = (name, bytes) => page.evaluate(([n, b]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], n));
    document.querySelector('canvas').dispatchEvent(
      new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [name, bytes]);
  await drop('policy.nir', [...Buffer.concat(chunks)]);
  await page.waitForFunction(() => /^loaded .*model\.nir \(NIR/.test(window.soma.state().notice));
  await drop('notes.txt', [104, 105]);
  await page.waitForFunction(
    () => document.getElementById('message').textContent.startsWith('notes.txt: drop a NIR graph'));
  assert.equal((await state(page)).message, '');
  assert.deepEqual(errors, []);
  await page.close();
});

test('URL values: a size a tab cannot afford is refused by name, the page runs', async () => {
  const t0 = Date.now();
  const { page, errors } = await open(ctx.browser, ctx.url, 'task=memory&samples=100000000&seed=5');
  const s = await waitSteps(page, 3);
  console.log(`samples=100000000: running after ${Date.now() - t0} ms`);
  const text = await page.textContent('#message');
  assert.equal(count(text, 'samples'), 1, text);
  assert.match(s.query, /seed=5/);
  assert.equal(s.running, true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('URL values: each rejected one is named once, the rest applied', async () => {
  const { page } = await open(ctx.browser, ctx.url,
                              'task=memory&steps_per_frame=abc&run=maybe&learning_rate=banana&seed=3');
  const text = await page.textContent('#message');
  for (const name of ['steps_per_frame', "'run'", 'learning_rate']) assert.equal(count(text, name), 1, text);
  const s = await state(page);
  assert.match(s.query, /seed=3/);
  assert.equal(s.message, text);  // the page shows what the playground says, once
  await page.close();
});

test('URL values: device=cuda is refused in the browser', async () => {
  const { page } = await open(ctx.browser, ctx.url, 'task=memory&device=cuda');
  assert.match(await page.textContent('#message'), /device.*CPU/);
  await page.close();
});

// Chromium cannot turn WebAssembly SIMD or exceptions off, so the page's checks are told "no"
// for one feature's module (SIMD: an opcode after the 0xfd prefix; exceptions: a try, 0x06 0x40):
// the page says what it needs and fetches no wasm, where such a browser would fail to compile
// the module with an error a user cannot act on.
for (const missing of ['SIMD', 'exceptions']) {
  test(`a browser without WebAssembly ${missing}: a message naming what the page needs, no download`, async () => {
    const page = await ctx.browser.newPage();
    await page.addInitScript((m) => {
      const validate = WebAssembly.validate;
      WebAssembly.validate = (bytes) => {
        const b = Array.from(bytes);
        const uses = m === 'SIMD' ? b.includes(0xfd) : b.some((x, i) => x === 0x06 && b[i + 1] === 0x40);
        return uses ? false : validate(bytes);
      };
    }, missing);
    const fetched = [];
    page.on('request', (r) => fetched.push(r.url()));
    await page.goto(ctx.url + '?task=memory');
    await page.waitForSelector('#message.show');
    assert.match(await page.textContent('#message'),
                 /WebAssembly SIMD and exceptions.*Chrome.*Firefox 100.*Safari/);
    assert.equal(fetched.some((u) => u.endsWith('.wasm')), false);
    await page.close();
  });
}

test('URL values: run=0 is kept, so a paused page reloads paused', async () => {
  const { page } = await open(ctx.browser, ctx.url, 'task=memory&run=0');
  assert.equal((await state(page)).running, false);
  assert.match(await page.evaluate(() => location.search), /run=0/);
  await page.reload();
  await page.waitForFunction(() => window.somaLoadedMs !== undefined && window.soma.state().task);
  await frames(page);
  const s = await state(page);
  assert.equal(s.running, false);
  assert.equal(s.steps, 0);
  // Run from the page: the URL drops run=0 again.
  await page.evaluate(() => window.soma.run(true));
  assert.doesNotMatch(await page.evaluate(() => location.search), /run=/);
  await page.close();
});

test('URL values: weights that do not load fall back to the shipped ones', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url, 'task=digits&weights=nope.safetensors');
  const s = await state(page);
  assert.match(s.message, /nope\.safetensors.*using the defaults/);
  assert.equal(s.status, 'draw a digit in the pad');  // set up with the shipped weights
  assert.deepEqual(errors, []);
  await page.close();
});

test('Ctrl+A in the canvas selects nothing on the page', async () => {
  const { page } = await open(ctx.browser, ctx.url, 'task=memory');
  const box = await page.locator('canvas').boundingBox();
  await page.mouse.click(box.x + box.width - 50, box.y + box.height - 20);
  await page.keyboard.press('Control+A');
  assert.equal(await page.evaluate(() => String(window.getSelection())), '');
  await page.close();
});

test('microcircuit: bw_only 5-20-10-20-5, an angle per seed, falling from ~90 deg', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url, 'task=microcircuit&chunk_ms=20');
  // 0.8 s of simulated learning: every seed's angle has left 90 deg on its way down.
  await page.waitForFunction(() => ((window.soma.state().series['angle_layer1 seed 3'] || {}).n || 0) > 80,
                             null, { timeout: 90000, polling: 200 });
  const s = await state(page);
  for (const seed of [1, 2, 3]) {
    const a = s.series[`angle_layer1 seed ${seed}`].last;
    assert.ok(a > 45 && a < 88, `seed ${seed}: ${a} deg`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a 375 px wide page: stacked, nothing overflows, a finger-sized drawing pad', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 375, height: 700 } });
  await page.goto(ctx.url + '?task=digits');
  await page.waitForFunction(() => window.somaLoadedMs !== undefined && window.soma.state().task);
  await frames(page);
  const s = await state(page);
  assert.equal(s.views_overflow, 0);
  assert.ok(s.input_rect[2] >= 300, `pad ${s.input_rect[2]} px`);
  await page.close();
});

test('a finger draws a digit on a 375 px phone', async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 375, height: 700 }, hasTouch: true,
                                                isMobile: true });
  const page = await context.newPage();
  await page.goto(ctx.url + '?task=digits');
  await page.waitForFunction(() => window.somaLoadedMs !== undefined && window.soma.state().task);
  await frames(page);
  const [x, y, w, h] = (await state(page)).input_rect;
  const box = await page.locator('canvas').boundingBox();
  const cdp = await context.newCDPSession(page);
  const at = (k) => [{ x: box.x + x + w / 2, y: box.y + y + h * (0.15 + 0.07 * k) }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
  await frames(page, 2);
  for (let k = 1; k <= 10; k++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(k) });
    await frames(page, 1);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await page.waitForFunction(() => /it is a \d/.test(window.soma.state().status), null, { timeout: 10000 });
  await context.close();
});

test('a finger dragged up the stacked 375 px page scrolls it, and back down; nothing changes', async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 375, height: 700 }, hasTouch: true,
                                                isMobile: true });
  const page = await context.newPage();
  await page.goto(ctx.url + '?task=memory');
  await page.waitForFunction(() => window.somaLoadedMs !== undefined && window.soma.state().task);
  await waitSteps(page, 3);  // the plots under the controls make the column long
  await page.evaluate(() => window.soma.run(false));
  await frames(page);
  const before = await state(page);
  const [y0, max] = before.controls_scroll;
  assert.equal(y0, 0);
  assert.ok(max > 400, `the stacked column should overflow the screen (max ${max})`);
  const box = await page.locator('canvas').boundingBox();
  const cdp = await context.newCDPSession(page);
  // From the middle of the column (sliders and labels under the finger), 300 px in 10 moves.
  const drag = async (from, by) => {
    const at = (k) => [{ x: box.x + box.width / 2, y: box.y + from + (by * k) / 10 }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
    await frames(page, 1);
    for (let k = 1; k <= 10; k++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(k) });
      await frames(page, 1);
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await frames(page, 3);
    return state(page);
  };
  const up = await drag(450, -300);
  assert.ok(Math.abs(up.controls_scroll[0] - 300) <= 20, `scrolled to ${up.controls_scroll[0]} px`);
  assert.equal(up.query, before.query);  // no slider moved on the way
  const down = await drag(150, 300);
  assert.equal(down.controls_scroll[0], 0);
  assert.equal(down.query, before.query);
  await context.close();
});

test('a high-DPI screen: the canvas holds device pixels, the layout stays in CSS pixels', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 900, height: 600 }, deviceScaleFactor: 2 });
  await page.goto(ctx.url + '?task=memory');
  await page.waitForFunction(() => window.somaLoadedMs !== undefined && window.soma.state().task);
  await frames(page);
  const c = await page.evaluate(() => ({ w: canvas.width, cw: canvas.clientWidth, h: canvas.height, ch: canvas.clientHeight }));
  assert.equal(c.w, 2 * c.cw);
  assert.equal(c.h, 2 * c.ch);
  const s = await state(page);
  assert.deepEqual(s.display, [c.cw, c.ch, 2]);
  assert.equal(s.views_overflow, 0);
  await page.close();
});

test('a first visit: first paint, first frame, bytes moved, frames per second, draw time', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
  let bytes = 0;
  page.on('requestfinished', async (r) => { bytes += (await r.sizes()).responseBodySize; });
  const t0 = Date.now();
  await page.goto(ctx.url + '?task=memory');
  await page.waitForFunction(() => window.somaFirstFrameMs !== undefined && window.soma.state().task);
  const loadMs = Date.now() - t0;
  // In-page times from navigation start: the page's first paint (header and loading bar), the
  // runtime ready, the playground's first frame.
  const t = await page.evaluate(() => ({ paint: window.somaFirstPaintMs, ready: window.somaLoadedMs,
                                         frame: window.somaFirstFrameMs }));
  await waitSteps(page, 3);
  const f = await measureFrames(page);
  console.log(`first visit: ${(bytes / 1048576).toFixed(2)} MB moved; first paint (loading bar) ` +
              `${t.paint === undefined ? 'not reported' : t.paint.toFixed(0) + ' ms'}, runtime ready ` +
              `${t.ready.toFixed(0)} ms, first playground frame ${t.frame.toFixed(0)} ms ` +
              `(${loadMs} ms as the test saw it)`);
  console.log(`memory demo at 1280 x 800: ${f.fps.toFixed(1)} fps (90% of frames within ` +
              `${f.p90_ms.toFixed(0)} ms; ${f.drawn_fps.toFixed(1)} drawn per second, the rest ` +
              `unchanged), ${f.steps_per_s.toFixed(1)} training steps/s; ${f.vertices} vertices, ${f.indices} indices, ` +
              `${f.draw_calls} draw calls per frame; ${f.draw_ms.toFixed(1)} ms drawing per frame ` +
              `(${f.ui_ms.toFixed(1)} ms of it building the UI), ${f.step_ms.toFixed(1)} ms per step`);
  assert.ok(bytes < 1024 * 1024, `${bytes} bytes`);  // precompressed: ~0.7 MB, not 2.4 MB
  assert.ok(t.ready <= t.frame, 'the first frame comes after the runtime');
  assert.ok(f.draw_ms > 0 && f.vertices > 0);
  await page.close();
});
