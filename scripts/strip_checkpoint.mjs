// Keeps only the model's tensors ("model.*") of a safetensors checkpoint, dropping the optimizer
// state and trainer metrics, so shipped weights stay small:
//   node scripts/strip_checkpoint.mjs IN.safetensors OUT.safetensors
// safetensors: 8-byte little-endian header length, a JSON header {name: {dtype, shape,
// data_offsets: [begin, end]}, __metadata__}, then the data.
import fs from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/strip_checkpoint.mjs IN.safetensors OUT.safetensors');
  process.exit(2);
}
const buf = fs.readFileSync(input);
const n = Number(buf.readBigUInt64LE(0));
const header = JSON.parse(buf.toString('utf8', 8, 8 + n));
const data = buf.subarray(8 + n);
const out = { __metadata__: { source: 'model tensors of ' + (header.__metadata__?.task || '?') } };
const parts = [];
let offset = 0;
for (const [name, t] of Object.entries(header)) {
  if (!name.startsWith('model.')) continue;
  const bytes = data.subarray(t.data_offsets[0], t.data_offsets[1]);
  out[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
  parts.push(bytes);
  offset += bytes.length;
}
let json = JSON.stringify(out);
json += ' '.repeat((8 - (json.length % 8)) % 8);  // keeps the data 8-byte aligned
const len = Buffer.alloc(8);
len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
fs.writeFileSync(output, Buffer.concat([len, Buffer.from(json), ...parts]));
console.log(`${output}: ${Object.keys(out).length - 1} tensors, ${offset} bytes of data`);
