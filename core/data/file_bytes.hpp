#pragma once
// Whole-file reading for dataset files, which come raw or gzip-compressed (MNIST's and Debian's
// *.gz): a file that starts with the gzip magic 1f 8b is inflated with zlib, every gzip member
// in turn (as gunzip does). Errors are std::runtime_error naming the file.
// WebAssembly builds have no zlib (Debian's Emscripten has a frozen cache without the zlib port,
// and -sUSE_ZLIB would download it), so there a gzip file is an error that says to gunzip it.
#include <string>

namespace soma {

std::string read_file_bytes(const std::string& path);
bool is_gzip(const std::string& bytes);
// Inflates gzip data; `name` only labels errors.
std::string gunzip(const std::string& bytes, const std::string& name);

}  // namespace soma
