#include "core/io/atomic_write.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace soma {
namespace {

void write_temp(const std::string& tmp, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot open " + tmp + " for writing");
  write(out);
  out.flush();
  if (!out) throw std::runtime_error("error writing " + tmp + " (disk full?)");
  out.close();
  if (!out) throw std::runtime_error("error closing " + tmp);
}

}  // namespace

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string tmp = path + ".tmp";
  std::error_code ec;
  try {
    write_temp(tmp, write);
  } catch (...) {
    std::filesystem::remove(tmp, ec);
    throw;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + ec.message());
  }
}

void write_file_atomic(const std::string& path, std::string_view contents) {
  write_file_atomic(path, [&](std::ostream& out) {
    out.write(contents.data(), std::streamsize(contents.size()));
  });
}

}  // namespace soma
