#include "core/neuron/constant_current_pool.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/device_check.hpp"
#include "core/backend/parallel.hpp"

namespace soma {

namespace {

struct Planes {
  int64_t steps, count, h, w;  // count: B * C planes of h x w neurons
  int64_t n() const { return h * w; }
  int64_t oh() const { return h / 2; }
  int64_t ow() const { return w / 2; }
  int64_t pooled() const { return oh() * ow(); }
};

PoolPlane plane_of(const Planes& g) {
  return {g.steps, g.h, g.w};
}

// One thread's buffers for one plane's whole scan: the spikes as bits (isa_kernels.hpp's
// PoolPlane), the state (n) and, for the backward, (steps, n) arrays.
struct Scratch {
  std::vector<uint64_t> bits;
  std::vector<float> v_dec, gz, gx, v, i;
  explicit Scratch(const Planes& p, bool backward) {
    const size_t tn = size_t(p.steps * p.n());
    bits.resize(size_t(p.steps * pool_plane_words(p.n())));
    v.resize(size_t(p.n())), i.resize(size_t(p.n()));
    if (backward) v_dec.resize(tn), gz.resize(tn), gx.resize(tn);
  }
};

// z (steps, count, h, w) at plane p = the spikes of s.bits.
void write_spikes(const Planes& g, int64_t p, const Scratch& s, float* z) {
  const int64_t words = pool_plane_words(g.n());
  for (int64_t t = 0; t < g.steps; ++t) {
    const uint64_t* b = s.bits.data() + t * words;
    float* zt = z + (t * g.count + p) * g.n();
    for (int64_t k = 0; k < g.n(); ++k) zt[k] = float(b[k / 64] >> (k % 64) & 1);
  }
}

// dL/dx of plane p: the reverse scan from a zero final-state gradient, then the current
// gradients summed over the steps, last first (the order in which the autograd engine adds the
// T gradients of a stack's copies).
void backward_plane(const Planes& g, const CurrentScanConfig& c, int64_t p, Scratch& s, float* gx) {
  const int64_t n = g.n();
  std::fill(s.v.begin(), s.v.end(), 0.0f);
  std::fill(s.i.begin(), s.i.end(), 0.0f);
  scan_backward_range(c, {g.steps, n}, 0, n, s.v_dec.data(),
                      {s.gz.data(), nullptr, s.gx.data(), s.v.data(), s.i.data()});
  active_kernels().constant_pool_sum(g.steps, n, s.gx.data(), gx + p * n);
}

// Calls f(first, last, scratch) on slices of the planes, one per thread.
template <class F>
void for_planes(const Planes& g, bool backward, F&& f) {
  const bool parallel = g.count > 1 && g.count * g.n() * g.steps >= (int64_t(1) << 16);
  parallel_slices(g.count, parallel, [&](int64_t p0, int64_t p1) {
    Scratch s(g, backward);
    f(p0, p1, s);
  });
}

Device check(const Tensor& x, int64_t steps, const Tensor& v0, const Tensor& i0,
             const CurrentScanConfig& c) {
  const char* who = "constant_current_pool_scan";
  const Device d = require_device(who, x, v0, i0);
  if (!c.spiking) throw std::invalid_argument(std::string(who) + ": the scan must spike");
  if (steps <= 0) throw std::invalid_argument(std::string(who) + ": steps must be positive");
  if (x.dim() != 4)
    throw std::invalid_argument(std::string(who) + ": x must be (B, C, H, W), got " +
                                to_string(x.shape()));
  if (x.size(2) < 2 || x.size(3) < 2)
    throw std::invalid_argument(std::string(who) + ": x " + to_string(x.shape()) +
                                " is smaller than the 2 x 2 window");
  if (v0.shape() != x.shape() || i0.shape() != x.shape())
    throw std::invalid_argument(std::string(who) + ": state " + to_string(v0.shape()) +
                                " does not match x " + to_string(x.shape()));
  return d;
}

// The GPU's op: one thread per 2 x 2 window (cuda/constant_pool_body.hpp); the backward runs
// the forward again into a scratch of pre-reset voltages, as the CPU's does per plane.
PooledScanResult pool_scan_cuda(const Tensor& x, int64_t steps, const Tensor& v0, const Tensor& i0,
                                const CurrentScanConfig& c, bool keep_spikes) {
  const cuda::LeakyScanParams p = leaky_scan_params(c, {steps, x.numel()});
  const cuda::PoolScanShape s{x.size(0) * x.size(1), x.size(2), x.size(3)};
  PooledScanResult r;
  r.pooled = Tensor::uninitialized({steps, x.size(0), x.size(1), s.h / 2, s.w / 2}, Device::cuda);
  r.v = v0.detach().clone(), r.i = i0.detach().clone();
  if (keep_spikes)
    r.z = Tensor::uninitialized({steps, x.size(0), x.size(1), s.h, s.w}, Device::cuda);
  const Tensor xd = x.detach(), v0d = v0.detach(), i0d = i0.detach();
  cuda::pool_scan_forward(p, s,
                          {xd.raw_data(), r.v.raw_data(), r.i.raw_data(), r.pooled.raw_data(),
                           keep_spikes ? r.z.raw_data() : nullptr});
  if (!GradMode::enabled() || !x.requires_grad()) return r;
  r.pooled =
      record("constant_current_pool_scan", r.pooled, {x}, [p, s, xd, v0d, i0d](const Tensor& g) {
        const bool odd = s.h % 2 || s.w % 2;  // taps outside every window get no gradient
        Tensor gx = odd ? Tensor::zeros(xd.shape(), Device::cuda)
                        : Tensor::uninitialized(xd.shape(), Device::cuda);
        Tensor v_dec = Tensor::uninitialized({4 * g.numel()}, Device::cuda);
        cuda::pool_scan_backward(p, s,
                                 {xd.raw_data(), v0d.raw_data(), i0d.raw_data(), g.raw_data(),
                                  v_dec.raw_data(), gx.raw_data()});
        return Tensors{gx};
      });
  return r;
}

}  // namespace

PooledScanResult constant_current_pool_scan(const Tensor& x, int64_t steps, const Tensor& v0,
                                            const Tensor& i0, const CurrentScanConfig& c,
                                            bool keep_spikes) {
  if (check(x, steps, v0, i0, c) == Device::cuda)
    return pool_scan_cuda(x, steps, v0, i0, c, keep_spikes);
  const Planes g{steps, x.size(0) * x.size(1), x.size(2), x.size(3)};
  const Tensor xd = x.detach(), v0d = v0.detach(), i0d = i0.detach();
  PooledScanResult r;
  r.pooled = Tensor::uninitialized({steps, x.size(0), x.size(1), g.oh(), g.ow()});
  r.v = Tensor::uninitialized(x.shape()), r.i = Tensor::uninitialized(x.shape());
  Shape full{steps, x.size(0), x.size(1), g.h, g.w};
  if (keep_spikes) r.z = Tensor::uninitialized(full);
  const IsaKernels& k = active_kernels();
  const int64_t stride = g.count * g.pooled();                  // between steps of a pooled plane
  std::copy(v0d.data(), v0d.data() + v0d.numel(), r.v.data());  // the scan runs in place
  std::copy(i0d.data(), i0d.data() + i0d.numel(), r.i.data());
  for_planes(g, false, [&](int64_t p0, int64_t p1, Scratch& s) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t o = p * g.n();
      k.constant_pool_scan(c, plane_of(g), xd.data() + o, r.v.data() + o, r.i.data() + o,
                           s.bits.data(), nullptr, r.pooled.data() + p * g.pooled(), stride);
      if (keep_spikes) write_spikes(g, p, s, r.z.data());
    }
  });
  if (!GradMode::enabled() || !x.requires_grad()) return r;
  r.pooled =
      record("constant_current_pool_scan", r.pooled, {x}, [g, c, xd, v0d, i0d](const Tensor& gout) {
        const IsaKernels& k = active_kernels();
        Tensor gx = Tensor::uninitialized(xd.shape());
        for_planes(g, true, [&](int64_t p0, int64_t p1, Scratch& s) {
          for (int64_t p = p0; p < p1; ++p) {
            const int64_t o = p * g.n(), stride = g.count * g.pooled();
            std::copy(v0d.data() + o, v0d.data() + o + g.n(), s.v.data());
            std::copy(i0d.data() + o, i0d.data() + o + g.n(), s.i.data());
            k.constant_pool_scan(c, plane_of(g), xd.data() + o, s.v.data(), s.i.data(),
                                 s.bits.data(), s.v_dec.data(), nullptr, 0);
            k.constant_pool_unpool(plane_of(g), s.bits.data(), gout.data() + p * g.pooled(), stride,
                                   s.gz.data());
            backward_plane(g, c, p, s, gx.data());
          }
        });
        return Tensors{gx};
      });
  return r;
}

}  // namespace soma
