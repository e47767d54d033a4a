#pragma once
// Command-line handling shared by the benchmarks: -h/--help prints the usage and exits 0, and an
// unknown flag or a missing value stops with exit code 2 (a mistyped --quick must not start the
// full run).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace soma::bench {

struct Flag {
  const char* name;
  bool takes_value = false;
};

struct BenchArgs {
  std::vector<std::pair<std::string, std::string>> given;  // flag, value ("" for a switch)
  bool has(const char* flag) const {
    for (const auto& g : given)
      if (g.first == flag) return true;
    return false;
  }
  const char* value(const char* flag) const {
    for (const auto& g : given)
      if (g.first == flag) return g.second.c_str();
    return nullptr;
  }
};

inline BenchArgs parse_bench_args(int argc, char** argv, const char* usage,
                                  const std::vector<Flag>& flags) {
  BenchArgs args;
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "-h") || !std::strcmp(argv[a], "--help")) {
      std::printf("%s\n", usage);
      std::exit(0);
    }
    const Flag* f = nullptr;
    for (const Flag& k : flags)
      if (!std::strcmp(argv[a], k.name)) f = &k;
    if (!f) {
      std::fprintf(stderr, "%s: unknown argument '%s'\n%s\n", argv[0], argv[a], usage);
      std::exit(2);
    }
    if (f->takes_value && a + 1 >= argc) {
      std::fprintf(stderr, "%s: %s needs a value\n%s\n", argv[0], f->name, usage);
      std::exit(2);
    }
    args.given.push_back({f->name, f->takes_value ? argv[++a] : ""});
  }
  return args;
}

}  // namespace soma::bench
