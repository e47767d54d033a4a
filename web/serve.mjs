// A static file server for web/dist: `make serve` runs it (node web/serve.mjs [dir] [port]) and
// the browser tests import serve() to get their own server on a free port. Where `make web` left
// FILE.br or FILE.gz (web/compress.mjs) and the browser accepts that encoding, it sends that
// instead (brotli first): a first visit moves ~0.7 MB instead of 2.4 MB.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.data': 'application/octet-stream',
  '.png': 'image/png', '.css': 'text/css', '.md': 'text/markdown; charset=utf-8',
};

// Resolves with { server, url }; port 0 picks a free port.
export function serve(root, port = 0, host = '127.0.0.1') {
  root = path.resolve(root);
  const server = http.createServer((req, res) => {
    // A malformed escape (/%E0%A4%A) or a NUL (/%00, which fs rejects by throwing) is the
    // client's error, not a reason for the server to die.
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (rel.includes('\0')) { res.writeHead(400).end('bad request'); return; }
    const file = path.join(root, rel.endsWith('/') ? rel + 'index.html' : rel);
    // root + separator: a bare prefix test would let /..%2fdist-x/ reach a sibling folder.
    if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
    const accepts = String(req.headers['accept-encoding'] || '');
    const encoded = [['br', '.br'], ['gzip', '.gz']].find(([enc, ext]) =>
      new RegExp(`\\b${enc}\\b`).test(accepts) && fs.existsSync(file + ext));
    fs.readFile(encoded ? file + encoded[1] : file, (err, data) => {
      if (err) { res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found'); return; }
      const headers = { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
                        'Cache-Control': 'no-cache', 'Vary': 'Accept-Encoding' };
      if (encoded) {
        headers['Content-Encoding'] = encoded[0];
        // The page's loading bar counts decoded bytes.
        try { headers['X-Uncompressed-Length'] = String(fs.statSync(file).size); } catch {}
      }
      res.writeHead(200, headers);
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(port, host, () =>
    resolve({ server, url: `http://${host}:${server.address().port}/` })));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist');
  const port = Number(process.argv[3] || process.env.PORT || 8080);
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    console.error(`serve: ${dir}/index.html is missing; run 'make web' first`);
    process.exit(1);
  }
  const { url } = await serve(dir, port);
  console.log(`Soma playground: ${url}  (demos: ${url}?task=memory, ?task=cartpole, ...; Ctrl-C stops)`);
}
