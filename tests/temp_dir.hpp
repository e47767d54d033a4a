#pragma once
// A fresh folder under the system's temp directory, removed with everything in it at scope end.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace soma::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("soma_test_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes `contents` to path/name and returns the file's path.
  std::string file(const std::string& name, const std::string& contents) const {
    std::string p = (path / name).string();
    std::ofstream(p, std::ios::binary) << contents;
    return p;
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

}  // namespace soma::test
