// Just enough PNG decoding to tell a blank screenshot from a drawn one: 8-bit RGB or RGBA,
// non-interlaced (what Chromium and soma-gui write), all five row filters.
import zlib from 'node:zlib';

export function decodePng(buf) {
  let pos = 8, width = 0, height = 0, channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs');
      channels = { 2: 3, 6: 4 }[data[9]];
      if (!channels) throw new Error(`PNG colour type ${data[9]} not supported`);
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat)), stride = width * channels;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], src = y * (stride + 1) + 1, dst = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? px[dst + i - channels] : 0, b = y ? px[dst - stride + i] : 0;
      const c = i >= channels && y ? px[dst - stride + i - channels] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      px[dst + i] = (raw[src + i] + pred) & 255;
    }
  }
  return { width, height, channels, px };
}

// Distinct colours and the share of pixels that differ from the most common one.
export function pngStats(buf) {
  const { width, height, channels, px } = decodePng(buf);
  const counts = new Map();
  for (let i = 0; i < width * height; i++) {
    const k = (px[i * channels] << 16) | (px[i * channels + 1] << 8) | px[i * channels + 2];
    counts.set(k, (counts.get(k) || 0) + 1);
  }
  const top = Math.max(...counts.values());
  return { width, height, colors: counts.size, drawn: 1 - top / (width * height) };
}
