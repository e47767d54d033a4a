#pragma once
// Whole-file reads with a size cap, for every file a user names (params, model.json, data sets):
// a device (/dev/zero, /dev/urandom: they never end) is refused up front, and anything else stops
// with an error once it passes max_bytes (a FIFO, a wrong file), instead of reading until memory
// runs out or the tab hangs. Errors are std::runtime_error naming the file.
#include <cstdint>
#include <string>

namespace soma {

std::string read_file_capped(const std::string& path, int64_t max_bytes);

}  // namespace soma
