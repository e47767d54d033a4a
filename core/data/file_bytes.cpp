#include "core/data/file_bytes.hpp"

#ifndef __EMSCRIPTEN__
#include <zlib.h>
#endif

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace soma {

bool is_gzip(const std::string& bytes) {
  return bytes.size() >= 2 && uint8_t(bytes[0]) == 0x1f && uint8_t(bytes[1]) == 0x8b;
}

#ifdef __EMSCRIPTEN__
std::string gunzip(const std::string&, const std::string& name) {
  throw std::runtime_error(name + ": gzip-compressed, and the WebAssembly build reads raw files " +
                           "only (no zlib there); decompress it with gunzip first");
}
#else
std::string gunzip(const std::string& bytes, const std::string& name) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)  // 16: expect a gzip header and trailer
    throw std::runtime_error(name + ": zlib inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = uInt(bytes.size());
  std::string out;
  char chunk[1 << 16];
  int rc = Z_OK;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof(chunk);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - z.avail_out);
    if (rc == Z_STREAM_END && z.avail_in > 0) {
      rc = inflateReset(&z);  // a further gzip member follows
      continue;
    }
    if (rc != Z_OK) break;
    if (z.avail_in == 0 && z.avail_out != 0) break;  // input used up mid-stream
  }
  const std::string msg = z.msg ? z.msg : "";
  inflateEnd(&z);
  if (rc != Z_STREAM_END)
    throw std::runtime_error(name + ": corrupt or truncated gzip data (zlib: " +
                             (msg.empty() ? std::to_string(rc) : msg) + ") after " +
                             std::to_string(out.size()) + " decompressed bytes");
  return out;
}
#endif

std::string read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw std::runtime_error("error reading " + path);
  return is_gzip(bytes) ? gunzip(bytes, path) : bytes;
}

}  // namespace soma
