#pragma once
// A small zlib/DEFLATE decoder of our own, for the WebAssembly build: HDF5's "deflate" filter
// stores each chunk as a zlib stream, and there is no zlib in the browser bundle. Written from
// RFC 1950 and RFC 1951; small code over speed (native builds may still use zlib itself).
//
// Format facts:
//  - zlib (RFC 1950): CMF, FLG, deflate data, Adler-32 of the output (big-endian). CMF's low
//    nibble is the method (8 = deflate), its high nibble log2(window) - 8 (at most 7: 32 KB);
//    CMF * 256 + FLG is a multiple of 31; FLG bit 5 asks for a preset dictionary (refused here).
//  - deflate (RFC 1951): a bit stream read from the least significant bit of each byte; blocks,
//    each with a 3-bit header (BFINAL, then BTYPE: 0 stored, 1 fixed Huffman, 2 dynamic
//    Huffman, 3 invalid). Huffman codes are sent most significant bit first, all other fields
//    least significant bit first. Stored blocks start at a byte boundary: LEN, ~LEN (16 bits
//    each), LEN raw bytes. Symbols 0-255 are literals, 256 ends the block, 257-285 give a
//    match length (3-258) and are followed by a distance code (1-32768 bytes back).
//  - Adler-32: a = 1 + sum of bytes, b = sum of the a's, both mod 65521; b << 16 | a.
//
// Errors are std::runtime_error naming the problem. Every read is bounds-checked and every step
// consumes input, so malformed data ends in an error, never a crash or a hang; max_size caps
// the output (a small stream can claim gigabytes). Bytes after the Adler-32 are ignored, as
// zlib's own uncompress() does.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace soma {

// Decodes a zlib stream (2-byte header, deflate data, Adler-32 of the output).
std::vector<uint8_t> zlib_inflate(const uint8_t* data, size_t size, size_t max_size);

// Decodes raw deflate data (no header, no checksum).
std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t max_size);

}  // namespace soma
