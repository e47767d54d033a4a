// soma-gui renders frames under Xvfb (software OpenGL) for every task and writes a screenshot
// that is not blank. Needs build/soma-gui (the Makefile's test-gui builds it) and xvfb-run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pngStats } from '../web/png.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const gui = path.join(root, 'build/soma-gui');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'soma-gui-'));

const cases = {
  memory: 'task=memory&samples=16&batch_size=4&period_length=10',
  cartpole: 'task=cartpole&policy=ann&chunk=20',
  correlation: 'task=correlation&seq_length=50&input_features=10',
  microcircuit: 'task=microcircuit&chunk_ms=2',
  mnist: 'task=mnist&model=rec&hidden=20&seq_length=8&limit_train=64&limit_test=16&batch_size=16',
  neurons: 'task=neurons&model=izhikevich&preset=tonic_bursting',
  digits: 'task=digits',  // inference only: no steps
};

for (const [task, query] of Object.entries(cases)) {
  test(`soma-gui renders ${task} under Xvfb and writes a screenshot`, () => {
    const png = path.join(out, `${task}.png`);
    const r = spawnSync('xvfb-run', ['-a', '-s', '-screen 0 1280x800x24', gui, '--frames', '12',
                                     '--width', '1200', '--height', '760', '--run',
                                     '--query', query, '--screenshot', png],
                        { cwd: root, encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    const state = JSON.parse(r.stdout.split('\n')[0]);
    assert.equal(state.task, task);
    assert.equal(state.message, '');
    if (task !== 'digits') assert.ok(state.steps > 0, `no steps: ${r.stdout}`);
    const s = pngStats(fs.readFileSync(png));
    assert.equal(s.width, 1200);
    assert.ok(s.colors > 20 && s.drawn > 0.05, `blank screenshot: ${JSON.stringify(s)}`);
  });
}

// Hostile queries (issue 19): each once crashed soma-gui (an uncaught JSON type_error from a
// message holding invalid UTF-8, a batch size that overflowed); now a message, exit 0.
const hostile = {
  'model=%FF': ['task=memory&model=%FF', /model/],
  'batch_size=2^63-1': ['task=memory&batch_size=9223372036854775807', /batch_size.*65536/],
};
for (const [name, [query, message]] of Object.entries(hostile)) {
  test(`soma-gui --query '${name}': a message on the state, exit 0`, () => {
    const png = path.join(out, 'hostile.png');
    const r = spawnSync('xvfb-run', ['-a', '-s', '-screen 0 1280x800x24', gui, '--frames', '3',
                                     '--width', '800', '--height', '600', '--run',
                                     '--query', query, '--screenshot', png],
                        { cwd: root, encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    const state = JSON.parse(r.stdout.split('\n')[0]);
    assert.match(state.message, message);
  });
}

// Issue 18: at the CLI defaults a step can take seconds (13 s for an MNIST batch), and each
// frame took as long. Steps now run on a worker thread: frames go on while a step of ~1.5 s of
// simulated microcircuit (5-20-10-20-5, three seeds) runs.
test('soma-gui keeps drawing frames while a long step runs', () => {
  const png = path.join(out, 'long-step.png');
  const r = spawnSync('xvfb-run', ['-a', '-s', '-screen 0 1280x800x24', gui, '--frames', '20',
                                   '--width', '900', '--height', '600', '--run', '--query',
                                   'task=microcircuit&params_file=assets/microcircuit/web/params.json&chunk_ms=1000',
                                   '--screenshot', png],
                      { cwd: root, encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, r.stderr);
  const [json, longest] = r.stdout.split('\n');
  const state = JSON.parse(json);
  const frameMs = Number(/longest frame ([\d.]+) ms/.exec(longest)[1]);
  console.log(`step ${state.mean_step_ms.toFixed(0)} ms, longest frame ${frameMs} ms`);
  assert.ok(state.steps >= 1);
  assert.ok(state.mean_step_ms > 500, `a step of ${state.mean_step_ms} ms is not long`);
  assert.ok(frameMs < state.mean_step_ms / 2, `a frame took ${frameMs} ms`);
});
