// Precompresses web/dist for web/serve.mjs (and any static host that serves .br/.gz files):
// writes FILE.br (brotli, quality 11) and FILE.gz (gzip -9) beside each .html, .js, .wasm and
// .data. `make web` runs it: node web/compress.mjs [dir]. The .wasm shrinks to about a quarter.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const COMPRESSIBLE = ['.html', '.js', '.wasm', '.data', '.json', '.css', '.md'];

export function compressDir(dir) {
  const sizes = [];
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!COMPRESSIBLE.includes(path.extname(name)) || !fs.statSync(file).isFile()) continue;
    const data = fs.readFileSync(file);
    const br = zlib.brotliCompressSync(data, { params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
    const gz = zlib.gzipSync(data, { level: 9 });
    fs.writeFileSync(file + '.br', br);
    fs.writeFileSync(file + '.gz', gz);
    sizes.push({ name, bytes: data.length, br: br.length, gz: gz.length });
  }
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist');
  let raw = 0, br = 0;
  for (const s of compressDir(dir)) {
    raw += s.bytes, br += s.br;
    console.log(`${s.name}: ${s.bytes} bytes, ${s.br} brotli, ${s.gz} gzip`);
  }
  console.log(`web/dist: ${raw} bytes, ${br} with brotli`);
}
