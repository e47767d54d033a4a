#include "core/audio/fft.hpp"

#include <kiss_fftr.h>

#include <stdexcept>
#include <string>

namespace soma {

RealFft::RealFft(int n) : n_(n), cfg_(nullptr) {
  if (n < 2 || n % 2 != 0)
    throw std::invalid_argument("RealFft: size " + std::to_string(n) + " must be even and >= 2");
  cfg_ = kiss_fftr_alloc(n, 0, nullptr, nullptr);
  if (!cfg_) throw std::runtime_error("RealFft: kiss_fftr_alloc failed");
  scratch_.resize(size_t(2 * bins()));
}

RealFft::~RealFft() {
  kiss_fftr_free(cfg_);
}

void RealFft::power(const float* in, float* out) {
  static_assert(sizeof(kiss_fft_cpx) == 2 * sizeof(float), "kissfft float build expected");
  auto* spec = reinterpret_cast<kiss_fft_cpx*>(scratch_.data());
  kiss_fftr(static_cast<kiss_fftr_cfg>(cfg_), in, spec);
  for (int k = 0; k < bins(); ++k) out[k] = spec[k].r * spec[k].r + spec[k].i * spec[k].i;
}

}  // namespace soma
