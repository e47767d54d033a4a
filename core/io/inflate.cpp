#include "core/io/inflate.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace soma {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("deflate: " + what);
}

// The input as a bit stream. Refills a byte at a time, so that the bytes not yet touched can be
// handed back at a byte boundary (stored blocks, the Adler-32 after the last block).
struct Bits {
  const uint8_t* data;
  size_t size, pos = 0;
  uint64_t buf = 0;  // unread bits, the next one lowest
  int count = 0;     // how many

  void fill(int n) {  // up to n bits in buf, fewer at the end of the input
    for (; count < n && pos < size; count += 8) buf |= uint64_t(data[pos++]) << count;
  }
  uint32_t get(int n) {  // n <= 16
    fill(n);
    if (count < n) fail("truncated input");
    const uint32_t v = uint32_t(buf) & ((1u << n) - 1);
    buf >>= n;
    count -= n;
    return v;
  }
  void align() {  // drop the rest of the current byte, hand back the whole bytes in buf
    pos -= size_t(count / 8);
    buf = 0;
    count = 0;
  }
};

// A canonical Huffman code. Codes of up to kFast bits (all of the fixed code's literals, most
// symbols of any code) decode with one lookup of the next kFast input bits; the longer, rarer
// ones bit by bit from the number of codes of each length.
constexpr int kFast = 9, kMaxBits = 15;

struct Huffman {
  uint16_t count[kMaxBits + 1];  // codes of each length
  uint16_t symbol[288];          // symbols in code order: by length, then by value
  uint16_t fast[1 << kFast];     // length << 12 | symbol, or 0 for a longer (or unused) code
};

void build(Huffman& h, const uint8_t* lengths, int n) {
  h = Huffman{};
  for (int i = 0; i < n; ++i) ++h.count[lengths[i]];
  h.count[0] = 0;
  uint16_t offset[kMaxBits + 2] = {};
  for (int len = 1, left = 1; len <= kMaxBits; ++len) {
    left = 2 * left - h.count[len];  // codes of this length still free
    if (left < 0) fail("invalid code lengths (over-subscribed)");
    offset[len + 1] = uint16_t(offset[len] + h.count[len]);
  }
  // An incomplete code is accepted: an unused code is an error only when it is met.
  for (int i = 0; i < n; ++i)
    if (lengths[i]) h.symbol[offset[lengths[i]]++] = uint16_t(i);
  for (int len = 1, code = 0, k = 0; len <= kFast; ++len, code <<= 1) {
    for (int j = 0; j < h.count[len]; ++j, ++code, ++k) {
      int rev = 0;  // the code as it arrives: first bit lowest
      for (int b = 0; b < len; ++b) rev |= ((code >> b) & 1) << (len - 1 - b);
      for (int i = rev; i < (1 << kFast); i += 1 << len)
        h.fast[i] = uint16_t(len << 12 | h.symbol[k]);
    }
  }
}

int decode(Bits& in, const Huffman& h) {
  in.fill(kFast);
  const int e = h.fast[in.buf & ((1u << kFast) - 1)];
  if (e && (e >> 12) <= in.count) {
    in.buf >>= e >> 12;
    in.count -= e >> 12;
    return e & 0xfff;
  }
  // Codes of length len are first .. first + count - 1, after all shorter codes' symbols.
  for (int len = 1, code = 0, first = 0, index = 0; len <= kMaxBits; ++len) {
    code |= int(in.get(1));
    if (code - first < h.count[len]) return h.symbol[index + code - first];
    index += h.count[len];
    first = (first + h.count[len]) << 1;
    code <<= 1;
  }
  fail("invalid Huffman code");
}

const uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                  31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
const uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};

void check_room(const std::vector<uint8_t>& out, size_t n, size_t max_size) {
  if (n > max_size - out.size()) fail("output larger than " + std::to_string(max_size) + " bytes");
}

void stored_block(Bits& in, std::vector<uint8_t>& out, size_t max_size) {
  in.align();
  if (in.size - in.pos < 4) fail("truncated input");
  const uint8_t* p = in.data + in.pos;
  const size_t len = p[0] | p[1] << 8;
  if (len != (~(p[2] | p[3] << 8) & 0xffffu)) fail("stored block length check failed");
  in.pos += 4;
  if (in.size - in.pos < len) fail("truncated input");
  check_room(out, len, max_size);
  out.insert(out.end(), in.data + in.pos, in.data + in.pos + len);
  in.pos += len;
}

// Reads a dynamic block's header: the code-length code, then with it the lengths of the
// literal/length code and of the distance code.
void dynamic_codes(Bits& in, Huffman& lit, Huffman& dist) {
  const int nlit = int(in.get(5)) + 257, ndist = int(in.get(5)) + 1, nclen = int(in.get(4)) + 4;
  if (nlit > 286 || ndist > 30) fail("too many length or distance codes");
  static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                    11, 4,  12, 3, 13, 2, 14, 1, 15};
  uint8_t lengths[286 + 30] = {};
  for (int i = 0; i < nclen; ++i) lengths[order[i]] = uint8_t(in.get(3));
  Huffman clen;
  build(clen, lengths, 19);
  for (int i = 0; i < nlit + ndist;) {
    const int sym = decode(in, clen);
    if (sym < 16) {
      lengths[i++] = uint8_t(sym);
      continue;
    }
    if (sym == 16 && i == 0) fail("invalid code lengths (repeat of no length)");
    const uint8_t value = sym == 16 ? lengths[i - 1] : 0;
    const int n = sym == 16   ? 3 + int(in.get(2))
                  : sym == 17 ? 3 + int(in.get(3))
                              : 11 + int(in.get(7));
    if (n > nlit + ndist - i) fail("invalid code lengths (repeat past the end)");
    std::fill_n(lengths + i, n, value);
    i += n;
  }
  if (lengths[256] == 0) fail("invalid code lengths (no end-of-block code)");
  build(lit, lengths, nlit);
  build(dist, lengths + nlit, ndist);
}

void huffman_block(Bits& in, const Huffman& lit, const Huffman& dist, std::vector<uint8_t>& out,
                   size_t max_size) {
  for (;;) {
    const int sym = decode(in, lit);
    if (sym < 256) {
      check_room(out, 1, max_size);
      out.push_back(uint8_t(sym));
    } else if (sym == 256) {
      return;
    } else {
      const int l = sym - 257;
      if (l >= 29) fail("invalid length symbol " + std::to_string(sym));
      const size_t len = kLengthBase[l] + in.get(l < 8 || l == 28 ? 0 : l / 4 - 1);
      const int d = decode(in, dist);
      if (d >= 30) fail("invalid distance symbol " + std::to_string(d));
      const size_t distance = kDistBase[d] + in.get(d < 4 ? 0 : d / 2 - 1);
      if (distance > out.size()) fail("distance too far back");
      check_room(out, len, max_size);
      const size_t at = out.size();
      out.resize(at + len);
      for (size_t i = at; i < at + len; ++i) out[i] = out[i - distance];  // may overlap
    }
  }
}

// Decodes deflate data from in.pos on; leaves in.pos at the byte after the last block.
std::vector<uint8_t> inflate_bits(Bits& in, size_t max_size) {
  static const struct Fixed {
    Huffman lit, dist;
    Fixed() {
      uint8_t lengths[288];
      std::fill_n(lengths, 144, 8), std::fill_n(lengths + 144, 112, 9);
      std::fill_n(lengths + 256, 24, 7), std::fill_n(lengths + 280, 8, 8);
      build(lit, lengths, 288);
      std::fill_n(lengths, 32, 5);
      build(dist, lengths, 32);
    }
  } fixed;
  std::vector<uint8_t> out;
  out.reserve(std::min(max_size, size_t(1) << 20));
  Huffman lit, dist;
  for (bool last = false; !last;) {
    last = in.get(1);
    const int type = int(in.get(2));
    if (type == 0) {
      stored_block(in, out, max_size);
    } else if (type == 1) {
      huffman_block(in, fixed.lit, fixed.dist, out, max_size);
    } else if (type == 2) {
      dynamic_codes(in, lit, dist);
      huffman_block(in, lit, dist, out, max_size);
    } else {
      fail("invalid block type 3");
    }
  }
  in.align();
  return out;
}

uint32_t adler32(const uint8_t* p, size_t n) {
  uint32_t a = 1, b = 0;
  while (n) {
    // 5552: the most bytes after which b, starting below 65521, cannot yet pass 2^32.
    const size_t k = std::min(n, size_t(5552));
    n -= k;
    for (const uint8_t* end = p + k; p != end; ++p) b += a += *p;
    a %= 65521;
    b %= 65521;
  }
  return b << 16 | a;
}

}  // namespace

std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t max_size) {
  Bits in{data, size};
  return inflate_bits(in, max_size);
}

std::vector<uint8_t> zlib_inflate(const uint8_t* data, size_t size, size_t max_size) {
  if (size < 2) fail("truncated input");
  const int cmf = data[0], flg = data[1];
  if ((cmf << 8 | flg) % 31 != 0) throw std::runtime_error("zlib: bad header (check bits)");
  if ((cmf & 15) != 8 || (cmf >> 4) > 7)
    throw std::runtime_error("zlib: bad header (not deflate with a window of 32 KB or less)");
  if (flg & 32) throw std::runtime_error("zlib: preset dictionary not supported");
  Bits in{data, size, 2};
  std::vector<uint8_t> out = inflate_bits(in, max_size);
  if (size - in.pos < 4) fail("truncated input");
  const uint8_t* p = data + in.pos;
  const uint32_t expected = uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
  if (adler32(out.data(), out.size()) != expected)
    throw std::runtime_error("zlib: Adler-32 mismatch");
  return out;
}

}  // namespace soma
