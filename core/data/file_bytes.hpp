#pragma once
// Whole-file reading for dataset files, which come raw or gzip-compressed (MNIST's and Debian's
// *.gz): a file that starts with the gzip magic 1f 8b is inflated with zlib, every gzip member
// in turn (as gunzip does). Errors are std::runtime_error naming the file.
// WebAssembly builds have no zlib (Debian's Emscripten has a frozen cache without the zlib port,
// and -sUSE_ZLIB would download it), so there a gzip file is an error that says to gunzip it.
//
// Both the file and its decompressed contents are capped (kMaxDataFileBytes: MNIST's largest file
// is 47 MB, a CIFAR-10 batch 31 MB; core/io/read_capped.hpp refuses devices): a FIFO or a gzip
// bomb stops with an error at the cap instead of reading until memory runs out.
#include <cstdint>
#include <string>

namespace soma {

#ifdef __EMSCRIPTEN__
constexpr int64_t kMaxDataFileBytes = int64_t(512) << 20;  // the heap holds 2 GiB in all
#else
constexpr int64_t kMaxDataFileBytes = int64_t(4) << 30;
#endif

std::string read_file_bytes(const std::string& path, int64_t max_bytes = kMaxDataFileBytes);
bool is_gzip(const std::string& bytes);
// Inflates gzip data; `name` only labels errors.
std::string gunzip(const std::string& bytes, const std::string& name,
                   int64_t max_bytes = kMaxDataFileBytes);

}  // namespace soma
