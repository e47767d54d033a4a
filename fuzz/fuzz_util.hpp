#pragma once
// Shared by the libFuzzer targets: what counts as a clean rejection, and inputs as files for the
// readers that take a path.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "tasks/registry.hpp"

namespace soma::fuzz {

// Runs f; a std::exception is the reader saying no, which is fine. Anything else propagates
// (libFuzzer reports an uncaught exception as a crash), as do sanitizer reports.
template <class F>
void rejects_cleanly(F f) {
  try {
    f();
  } catch (const std::exception&) {
  }
}

// Every registered task, made once: their parameter tables are what configs and queries set.
struct NamedTask {
  std::string name;
  TaskPtr task;
};
inline const std::vector<NamedTask>& tasks() {
  static const std::vector<NamedTask> all = [] {
    std::vector<NamedTask> v;
    for (const TaskEntry& e : task_registry()) v.push_back({e.name, e.make()});
    return v;
  }();
  return all;
}

// A per-process scratch file holding `bytes` under $TMPDIR, for readers that take a path.
inline std::string scratch_file(const std::string& tag, const char* bytes, size_t size) {
  const char* dir = std::getenv("TMPDIR");
  const std::string path = std::string(dir && *dir ? dir : "/tmp") + "/soma-fuzz-" +
                           std::to_string(getpid()) + "-" + tag;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes, std::streamsize(size));
  return path;
}

}  // namespace soma::fuzz
