#include "core/encode/spike_times.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"

namespace soma {

Tensor spikes_to_times(const Tensor& z, int64_t spike_count, bool to_times, float dt) {
  if (z.dim() < 1 || z.size(0) == 0)
    throw std::invalid_argument("spikes_to_times: spikes " + to_string(z.shape()) +
                                " are not (T, ...) with T >= 1");
  if (spike_count < 1) throw std::invalid_argument("spikes_to_times: spike_count must be >= 1");
  require_cpu("spikes_to_times", z);
  const int64_t T = z.size(0), n = z.numel() / T, k = std::min(spike_count, T);
  Shape shape = z.shape();
  shape[0] = k;
  Tensor out = Tensor::full(shape, std::numeric_limits<float>::infinity());
  // where[j * n + c]: the step of neuron c's j-th spike, or -1.
  std::vector<int64_t> where(size_t(k * n), -1);
  const float* p = z.data();
  for (int64_t c = 0; c < n; ++c)
    for (int64_t t = 0, j = 0; t < T && j < k; ++t)
      if (p[t * n + c] > 0) where[size_t(j++ * n + c)] = t;
  const float scale = to_times ? dt : 1.0f;
  for (size_t e = 0; e < where.size(); ++e)
    if (where[e] >= 0) out.data()[e] = float(where[e]) * scale;
  Shape zshape = z.shape();
  return record("spikes_to_times", out, {z}, [zshape, where, n, scale](const Tensor& g) {
    Tensor gz = Tensor::zeros(zshape);
    for (size_t e = 0; e < where.size(); ++e)
      if (where[e] >= 0) gz.data()[where[e] * n + int64_t(e) % n] = -scale * g.data()[e];
    return Tensors{gz};
  });
}

}  // namespace soma
