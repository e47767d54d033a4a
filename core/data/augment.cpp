#include "core/data/augment.hpp"

#include <stdexcept>

namespace soma {

Tensor random_crop_flip(const Tensor& images, int pad, Rng& rng) {
  if (images.dim() != 4)
    throw std::invalid_argument("random_crop_flip: images are not (B, C, H, W)");
  if (pad < 0) throw std::invalid_argument("random_crop_flip: pad must be >= 0");
  const int64_t B = images.size(0), C = images.size(1), H = images.size(2), W = images.size(3);
  Tensor out = Tensor::zeros(images.shape());
  const float* in = images.data();
  float* o = out.data();
  for (int64_t b = 0; b < B; ++b) {
    const int64_t dy = int64_t(rng.below(uint32_t(2 * pad + 1))) - pad;
    const int64_t dx = int64_t(rng.below(uint32_t(2 * pad + 1))) - pad;
    const bool flip = rng.bernoulli(0.5f);
    for (int64_t c = 0; c < C; ++c) {
      const float* src = in + (b * C + c) * H * W;
      float* dst = o + (b * C + c) * H * W;
      for (int64_t y = 0; y < H; ++y) {
        const int64_t sy = y + dy;
        if (sy < 0 || sy >= H) continue;
        for (int64_t x = 0; x < W; ++x) {
          const int64_t sx = x + dx;
          if (sx >= 0 && sx < W) dst[y * W + (flip ? W - 1 - x : x)] = src[sy * W + sx];
        }
      }
    }
  }
  return out;
}

}  // namespace soma
