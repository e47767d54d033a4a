#include "core/io/read_capped.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/tensor/checked_size.hpp"

namespace soma {

std::string read_file_capped(const std::string& path, int64_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && (std::filesystem::is_character_file(status) || std::filesystem::is_block_file(status)))
    throw std::runtime_error(path + ": a device, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the file");
  std::string bytes;
  char chunk[1 << 16];
  while (in) {
    in.read(chunk, sizeof chunk);
    bytes.append(chunk, size_t(in.gcount()));
    if (int64_t(bytes.size()) > max_bytes)
      throw std::runtime_error(path + ": larger than " + format_bytes(max_bytes) +
                               "; not a file of this kind");
  }
  if (in.bad()) throw std::runtime_error(path + ": error reading the file");
  return bytes;
}

}  // namespace soma
