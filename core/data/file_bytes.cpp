#include "core/data/file_bytes.hpp"

#ifndef __EMSCRIPTEN__
#include <zlib.h>
#endif

#include <stdexcept>

#include "core/io/read_capped.hpp"
#include "core/tensor/checked_size.hpp"

namespace soma {

bool is_gzip(const std::string& bytes) {
  return bytes.size() >= 2 && uint8_t(bytes[0]) == 0x1f && uint8_t(bytes[1]) == 0x8b;
}

#ifdef __EMSCRIPTEN__
std::string gunzip(const std::string&, const std::string& name, int64_t) {
  throw std::runtime_error(name + ": gzip-compressed, and the WebAssembly build reads raw files " +
                           "only (no zlib there); decompress it with gunzip first");
}
#else
std::string gunzip(const std::string& bytes, const std::string& name, int64_t max_bytes) {
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
    if (int64_t(out.size()) > max_bytes) {
      inflateEnd(&z);
      throw std::runtime_error(name + ": decompresses to more than " + format_bytes(max_bytes) +
                               " (a gzip bomb, or not a data set file)");
    }
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

std::string read_file_bytes(const std::string& path, int64_t max_bytes) {
  const std::string bytes = read_file_capped(path, max_bytes);
  return is_gzip(bytes) ? gunzip(bytes, path, max_bytes) : bytes;
}

}  // namespace soma
