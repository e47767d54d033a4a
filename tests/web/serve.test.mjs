// web/serve.mjs on its own (no web build needed): hostile paths get an error status, never a
// crash or a file from outside the served folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { serve } from '../../web/serve.mjs';

let tmp, srv;
before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'soma-serve-'));
  fs.mkdirSync(path.join(tmp, 'dist'));
  fs.mkdirSync(path.join(tmp, 'dist-x'));
  fs.writeFileSync(path.join(tmp, 'dist', 'index.html'), '<p>soma</p>');
  fs.writeFileSync(path.join(tmp, 'dist-x', 'secret.txt'), 'secret');
  srv = await serve(path.join(tmp, 'dist'));
});
after(() => { srv?.server.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

// The raw path goes out as written (fetch would normalise it).
function get(rawPath) {
  return new Promise((resolve, reject) => {
    const u = new URL(srv.url);
    http.get({ host: u.hostname, port: u.port, path: rawPath }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

test('serves the folder', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.equal(r.body, '<p>soma</p>');
});

for (const bad of ['/%00', '/index.html%00.js', '/%E0%A4%A', '/%']) {
  test(`${bad} is a 400 and the server keeps serving`, async () => {
    assert.equal((await get(bad)).status, 400);
    assert.equal((await get('/')).status, 200);
  });
}

for (const escape of ['/..%2fdist-x%2fsecret.txt', '/%2e%2e/dist-x/secret.txt', '/..%2f..%2fetc%2fpasswd']) {
  test(`${escape} does not leave the served folder`, async () => {
    const r = await get(escape);
    assert.ok(r.status === 403 || r.status === 404, `status ${r.status}`);
    assert.notEqual(r.body, 'secret');
  });
}
