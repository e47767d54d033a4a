#pragma once
// Sizes are int64_t everywhere, in the native and the WebAssembly build alike (where size_t is 32
// bits, so a byte count computed in size_t wraps at 4 GiB). Counts that come from outside (a
// parameter, a file header) are combined with these checked operations, which throw SizeError
// instead of wrapping, and the bytes are compared with what the machine can hold before anything
// is allocated: a clear message beats a SIGSEGV, a heap overflow or a trap.
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

namespace soma {

class SizeError : public std::length_error {
 public:
  using std::length_error::length_error;
};

// a * b and a + b for a, b >= 0; throws SizeError naming `what` on a negative operand or overflow.
int64_t checked_mul(int64_t a, int64_t b, std::string_view what);
int64_t checked_add(int64_t a, int64_t b, std::string_view what);
// The product of all factors, checked as above.
int64_t checked_product(std::initializer_list<int64_t> factors, std::string_view what);
// ceil(n / d) for n >= 0, d >= 1, without the (n + d - 1) that overflows for d near INT64_MAX.
constexpr int64_t ceil_div(int64_t n, int64_t d) {
  return n / d + (n % d != 0);
}

// The bytes one process can hold: the physical memory natively (sysconf), 2 GiB in WebAssembly
// (the heap's limit with ALLOW_MEMORY_GROWTH in Emscripten 3.1.6).
int64_t memory_limit_bytes();
// "1.5 GiB", "12 MiB", "512 bytes".
std::string format_bytes(int64_t bytes);
// Throws SizeError "<what> needs 6.0 GiB, more than the 2.0 GiB this machine can hold" when
// bytes exceed memory_limit_bytes().
void check_fits_memory(int64_t bytes, std::string_view what);

}  // namespace soma
