#include "core/random/rng.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace soma {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
uint32_t rotl(uint32_t x, int k) {
  return (x << k) | (x >> (32 - k));
}
}  // namespace

void Rng::reseed(uint64_t seed) {
  uint64_t a = splitmix64(seed), b = splitmix64(seed);
  s_[0] = uint32_t(a);
  s_[1] = uint32_t(a >> 32);
  s_[2] = uint32_t(b);
  s_[3] = uint32_t(b >> 32);
  has_spare_ = false;
}

uint32_t Rng::next_u32() {
  uint32_t result = rotl(s_[1] * 5, 7) * 9;
  uint32_t t = s_[1] << 9;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 11);
  return result;
}

float Rng::uniform() {
  return float(next_u32() >> 8) * (1.0f / 16777216.0f);
}

uint32_t Rng::below(uint32_t n) {
  // Lemire's multiply-shift with rejection.
  uint64_t m = uint64_t(next_u32()) * n;
  uint32_t low = uint32_t(m);
  if (low < n) {
    uint32_t threshold = uint32_t(-n) % n;
    while (low < threshold) {
      m = uint64_t(next_u32()) * n;
      low = uint32_t(m);
    }
  }
  return uint32_t(m >> 32);
}

float Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // Computed in double so that float rounding of log/cos matches across libm versions as
  // closely as possible; 1 - u keeps the log argument in (0, 1].
  double u1 = 1.0 - double(next_u32()) * (1.0 / 4294967296.0);
  double u2 = double(next_u32()) * (1.0 / 4294967296.0);
  double r = std::sqrt(-2.0 * std::log(u1));
  double th = 6.283185307179586 * u2;
  spare_ = float(r * std::sin(th));
  has_spare_ = true;
  return float(r * std::cos(th));
}

Rng Rng::split() {
  uint64_t seed = (uint64_t(next_u32()) << 32) | next_u32();
  return Rng(seed);
}

Rng& global_rng() {
  static Rng rng(0);
  return rng;
}

void manual_seed(uint64_t seed) {
  global_rng().reseed(seed);
}

}  // namespace soma

namespace soma {

std::string Rng::state() const {
  char buf[128];
  // The spare normal as its bit pattern: exact, and never "nan" text.
  uint32_t spare_bits;
  std::memcpy(&spare_bits, &spare_, sizeof spare_bits);
  std::snprintf(buf, sizeof buf, "xoshiro128ss %u %u %u %u %d %u", s_[0], s_[1], s_[2], s_[3],
                has_spare_ ? 1 : 0, spare_bits);
  return buf;
}

void Rng::set_state(const std::string& text) {
  unsigned s[4], bits;
  int spare = 0, used = 0;
  if (std::sscanf(text.c_str(), "xoshiro128ss %u %u %u %u %d %u%n", &s[0], &s[1], &s[2], &s[3],
                  &spare, &bits, &used) != 6 ||
      size_t(used) != text.size() || (spare != 0 && spare != 1) || (s[0] | s[1] | s[2] | s[3]) == 0)
    throw std::invalid_argument("not a random generator state: '" + text.substr(0, 80) + "'");
  for (int i = 0; i < 4; ++i) s_[i] = uint32_t(s[i]);
  has_spare_ = spare == 1;
  std::memcpy(&spare_, &bits, sizeof spare_);
}

}  // namespace soma
