#pragma once
// A minimal PNG writer for screenshots: 8-bit RGB, zlib "stored" (uncompressed) blocks, so it
// needs no compression library. Rows are given top to bottom.
#include <cstdint>
#include <string>
#include <vector>

namespace soma {

// Throws std::runtime_error if the file cannot be written.
void write_png_rgb(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb);

}  // namespace soma
