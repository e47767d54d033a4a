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

// Precompressed files (issue 18): `make web` writes FILE.br and FILE.gz (web/compress.mjs); the
// server sends the one the browser accepts, brotli first, with the original's type.
test('sends FILE.br or FILE.gz when the browser accepts it, the plain file otherwise', async () => {
  const { compressDir } = await import('../../web/compress.mjs');
  const zlib = await import('node:zlib');
  const body = Buffer.from('soma '.repeat(2000));
  fs.writeFileSync(path.join(tmp, 'dist', 'big.wasm'), body);
  compressDir(path.join(tmp, 'dist'));
  const fetchRaw = (enc) => new Promise((resolve, reject) => {
    const u = new URL(srv.url);
    http.get({ host: u.hostname, port: u.port, path: '/big.wasm',
               headers: enc ? { 'Accept-Encoding': enc } : {} }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ headers: res.headers, data: Buffer.concat(parts) }));
    }).on('error', reject);
  });
  const br = await fetchRaw('gzip, deflate, br');
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers['content-type'], 'application/wasm');
  assert.equal(br.headers['x-uncompressed-length'], String(body.length));
  assert.ok(br.data.length < body.length / 10);
  assert.deepEqual(zlib.brotliDecompressSync(br.data), body);
  const gz = await fetchRaw('gzip');
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.deepEqual(zlib.gunzipSync(gz.data), body);
  const plain = await fetchRaw('');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.deepEqual(plain.data, body);
});
