#include "tasks/framework/accuracy.hpp"

#include <stdexcept>

namespace soma {

int64_t count_top_k(const Tensor& scores, const Tensor& targets, int k) {
  if (scores.dim() != 2 || targets.numel() != scores.size(0))
    throw std::invalid_argument("count_top_k: scores are not (B, C) for B targets");
  const int64_t B = scores.size(0), C = scores.size(1);
  int64_t hits = 0;
  for (int64_t b = 0; b < B; ++b) {
    const float* s = scores.data() + b * C;
    const int64_t t = int64_t(targets.data()[b]);
    if (t < 0 || t >= C) throw std::invalid_argument("count_top_k: target out of range");
    int above = 0;
    for (int64_t c = 0; c < C; ++c) above += s[c] > s[t] || (s[c] == s[t] && c < t);
    hits += above < k;
  }
  return hits;
}

}  // namespace soma
