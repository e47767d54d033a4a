#include "core/encode/encoders.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/backend/device_check.hpp"
#include "core/ops/reduce.hpp"
#include "core/ops/shape_ops.hpp"
#include "core/random/rng.hpp"

namespace soma {

namespace {
Shape with_time(int64_t steps, const Shape& s) {
  if (steps <= 0) throw std::invalid_argument("encoder: steps must be positive");
  Shape out{steps};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}
}  // namespace

namespace {
// The GPU draws from Philox4x32-10 keyed by two draws of the host generator, so a seeded run
// repeats itself on the GPU, though with other spikes than the CPU's stream gives.
Tensor poisson_encode_cuda(const Tensor& x, int64_t steps, Rng& rng, float f_max, float dt,
                           bool signed_spikes) {
  Tensor out = Tensor::uninitialized(with_time(steps, x.shape()), Device::cuda);
  const uint64_t key = uint64_t(rng.next_u32()) | uint64_t(rng.next_u32()) << 32;
  cuda::poisson_encode({key, dt * f_max, x.numel(), out.numel(), signed_spikes}, x.raw_data(),
                       out.raw_data());
  return out;
}
}  // namespace

Tensor poisson_encode(const Tensor& x, int64_t steps, Rng& rng, float f_max, float dt) {
  if (require_device("poisson_encode", x) == Device::cuda)
    return poisson_encode_cuda(x, steps, rng, f_max, dt, false);
  Tensor out = Tensor::zeros(with_time(steps, x.shape()));
  const int64_t n = x.numel();
  for (int64_t t = 0; t < steps; ++t)
    for (int64_t k = 0; k < n; ++k)
      out.data()[t * n + k] = rng.uniform() < dt * f_max * x.data()[k] ? 1.0f : 0.0f;
  return out;
}

Tensor signed_poisson_encode(const Tensor& x, int64_t steps, Rng& rng, float f_max, float dt) {
  if (require_device("signed_poisson_encode", x) == Device::cuda)
    return poisson_encode_cuda(x, steps, rng, f_max, dt, true);
  Tensor out = Tensor::zeros(with_time(steps, x.shape()));
  const int64_t n = x.numel();
  for (int64_t t = 0; t < steps; ++t)
    for (int64_t k = 0; k < n; ++k) {
      float v = x.data()[k];
      bool spike = rng.uniform() < dt * f_max * std::fabs(v);
      out.data()[t * n + k] = spike ? (v > 0 ? 1.0f : -1.0f) : 0.0f;
    }
  return out;
}

Tensor constant_current_encode(const Tensor& x, int64_t steps) {
  const Device d = require_device("constant_current_encode", x);
  Tensor current = Tensor::uninitialized(with_time(steps, x.shape()), d);
  if (d == Device::cuda) {  // one kernel (was a copy per step: 16 of a conv step's 35 copies)
    cuda::tile(x.raw_data(), x.numel(), steps, current.raw_data());
  } else {
    for (int64_t t = 0; t < steps; ++t)
      std::copy(x.data(), x.data() + x.numel(), current.data() + t * x.numel());
  }
  if (x.numel() > 0) current.set_repeating(x.numel());  // after the writes, which drop it
  return current;
}

Tensor constant_current_lif_encode(const Tensor& x, int64_t steps, const LIFBoxParameters& p) {
  NoGrad ng;
  return constant_input_spikes(x, steps, Tensor::full(x.shape(), p.v_leak, x.device()),
                               Tensor::zeros(x.shape(), x.device()), lif_box_scan_config(p));
}

Tensor spike_latency_mask(const Tensor& spikes) {
  Tensor out = spikes.clone();
  const int64_t steps = spikes.size(0), n = spikes.numel() / std::max<int64_t>(steps, 1);
  for (int64_t k = 0; k < n; ++k) {
    bool fired = false;
    for (int64_t t = 0; t < steps; ++t) {
      float& z = out.data()[t * n + k];
      if (fired) z = 0;
      fired = fired || z != 0;
    }
  }
  return out;
}

Tensor population_encode(const Tensor& x, int64_t n, float scale) {
  if (n < 2) throw std::invalid_argument("population_encode: needs at least 2 neurons");
  Shape shape = x.shape();
  shape.push_back(n);
  Tensor out = Tensor::zeros(shape);
  for (int64_t k = 0; k < x.numel(); ++k)
    for (int64_t c = 0; c < n; ++c) {
      float d = x.data()[k] - scale * float(c) / float(n - 1);
      out.data()[k * n + c] = std::exp(-scale * d * d / 2.0f);
    }
  return out;
}

Tensor sum_decode(const Tensor& x) {
  return sum(x, 0);
}
Tensor max_decode(const Tensor& x) {
  return max(x, 0);
}
Tensor last_decode(const Tensor& x) {
  return select(x, x.size(0) - 1);
}

}  // namespace soma
