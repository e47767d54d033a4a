// Hostile URLs and calls on the browser playground (issue 19): each once trapped ("memory access
// out of bounds"), threw from soma.state() or hung the tab; now each is a message on the page and
// the page goes on working. Needs `make web`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, open, state, waitSteps } from './browser.mjs';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await ctx?.browser.close(); ctx?.server.close(); });

// After a bad input the page must still open and train a small memory demo.
async function assertRecovers(page) {
  await page.evaluate(() => window.soma.open('task=memory'));
  const s = await waitSteps(page, (await state(page)).steps + 3);
  assert.equal(s.task, 'memory');
  assert.equal(s.message, '');
}

// Once a trap, then a setup failure; now both values are beyond the browser's caps (issue 18)
// and refused by name, and the page trains with the rest.
test('seq_length=10000&seq_periods=1000: refused by name within the browser caps, no trap', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url,
                                      'task=memory&seq_length=10000&seq_periods=1000');
  const s = await state(page);
  // Named as the table names them (seq_length and seq_periods are their aliases).
  assert.match(s.message, /period_length.*4e\+02/);
  assert.match(s.message, /'periods'/);
  assert.equal(s.running, true);
  await assertRecovers(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('batch_size=9223372036854775807 is refused naming the parameter', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url,
                                      'task=memory&batch_size=9223372036854775807');
  assert.match((await state(page)).message, /batch_size.*128/);  // the browser cap (issue 18)
  await assertRecovers(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('model=%FF (not UTF-8): soma.state() still answers with the message', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url, 'task=memory&model=%FF');
  const s = await state(page);
  assert.match(s.message, /model/);
  await assertRecovers(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('soma.open() with a 2 MB query: a message, no stack overflow', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url, 'task=memory');
  await page.evaluate(() => window.soma.open('task=memory&seed=' + '1'.repeat(2 << 20)));
  assert.match((await state(page)).message, /query of 2097\d+ bytes; at most 65536/);
  await assertRecovers(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('params_file=/dev/urandom: stops at the size cap with a message, no hang', async () => {
  const { page, errors } = await open(ctx.browser, ctx.url,
                                      'task=microcircuit&params_file=/dev/urandom');
  assert.match((await state(page)).message, /\/dev\/urandom.*(device|larger than)/);
  await assertRecovers(page);
  assert.deepEqual(errors, []);
  await page.close();
});
