#include "core/tensor/checked_size.hpp"

#include <cstdio>
#ifndef __EMSCRIPTEN__
#include <unistd.h>
#endif

namespace soma {
namespace {

[[noreturn]] void overflow(std::string_view what, const char* op, int64_t a, int64_t b) {
  throw SizeError(std::string(what) + ": " + std::to_string(a) + " " + op + " " +
                  std::to_string(b) + " is " + (a < 0 || b < 0 ? "not a size" : "too large") +
                  " (sizes must fit a 64-bit integer)");
}

}  // namespace

int64_t checked_mul(int64_t a, int64_t b, std::string_view what) {
  int64_t r = 0;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r)) overflow(what, "x", a, b);
  return r;
}

int64_t checked_add(int64_t a, int64_t b, std::string_view what) {
  int64_t r = 0;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &r)) overflow(what, "+", a, b);
  return r;
}

int64_t checked_product(std::initializer_list<int64_t> factors, std::string_view what) {
  int64_t n = 1;
  for (int64_t f : factors) n = checked_mul(n, f, what);
  return n;
}

int64_t memory_limit_bytes() {
#ifdef __EMSCRIPTEN__
  return int64_t(2) << 30;
#else
  static const int64_t limit = [] {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? int64_t(pages) * int64_t(page) : int64_t(1) << 40;
  }();
  return limit;
#endif
}

std::string format_bytes(int64_t bytes) {
  static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double x = double(bytes);
  int u = -1;
  while (x >= 1024 && u < 5) {
    x /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", x, units[u]);
  return buf;
}

void check_fits_memory(int64_t bytes, std::string_view what) {
  if (bytes > memory_limit_bytes())
    throw SizeError(std::string(what) + " needs " + format_bytes(bytes) + ", more than the " +
                    format_bytes(memory_limit_bytes()) + " this machine can hold");
}

}  // namespace soma
