#pragma once
// Replacing a file in one step: write `path + ".tmp"`, then rename it over `path`. rename() is
// atomic on POSIX, so a reader sees the old file or the new one, never half of one, even if the
// writer crashes midway (a stale .tmp may stay behind; the next write replaces it). Portable C++
// has no fsync, so this guards against crashes, not against power loss.
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace soma {

// `write` fills the stream; if it throws, the temp file is removed and `path` is untouched.
// I/O failures throw std::runtime_error naming the file.
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write);
void write_file_atomic(const std::string& path, std::string_view contents);

}  // namespace soma
