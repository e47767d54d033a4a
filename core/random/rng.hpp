#pragma once
// A seeded generator that yields the same numbers natively and in WebAssembly.
// std:: distributions are implementation-defined (libstdc++ vs libc++ differ), so the few
// distributions Soma needs are written here on top of xoshiro128** seeded by splitmix64.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace soma {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);

  uint32_t next_u32();
  // Uniform in [0, 1) with 24 random bits, exact in float32.
  float uniform();
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n) without modulo bias.
  uint32_t below(uint32_t n);
  // Standard normal by Box-Muller; the spare value is cached.
  float normal();
  float normal(float mean, float stddev) { return mean + stddev * normal(); }
  bool bernoulli(float p) { return uniform() < p; }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(uint32_t(i))]);
  }
  // Independent child stream, e.g. one per worker thread or per seed.
  Rng split();

  // The whole state as text ("xoshiro128ss s0 s1 s2 s3 spare"), so a checkpoint can continue
  // the stream where it stopped (a resumed run draws the same numbers). set_state throws
  // std::invalid_argument on text that state() did not write.
  std::string state() const;
  void set_state(const std::string& text);

 private:
  uint32_t s_[4];
  bool has_spare_ = false;
  float spare_ = 0;
};

// The process-wide generator used where no explicit Rng is passed.
Rng& global_rng();
void manual_seed(uint64_t seed);

}  // namespace soma
