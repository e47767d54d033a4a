#include "core/neuron/constant_current_pool.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
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

// One thread's buffers for one plane's whole scan: (steps, n) arrays and the (n) state.
struct Scratch {
  std::vector<float> x, z, v_dec, gz, gx, v, i;
  explicit Scratch(const Planes& p, bool backward) {
    const size_t tn = size_t(p.steps * p.n());
    x.resize(tn), z.resize(tn), v.resize(size_t(p.n())), i.resize(size_t(p.n()));
    if (backward) v_dec.resize(tn), gz.resize(tn), gx.resize(tn);
  }
};

// Plane p's scan over all steps from (v0, i0): z, the final (v, i), and v_dec when kept.
void scan_plane(const Planes& g, const CurrentScanConfig& c, int64_t p, const float* x,
                const float* v0, const float* i0, Scratch& s, bool keep_v_dec) {
  const int64_t n = g.n(), o = p * n;
  for (int64_t t = 0; t < g.steps; ++t) std::copy(x + o, x + o + n, s.x.data() + t * n);
  std::copy(v0 + o, v0 + o + n, s.v.data());
  std::copy(i0 + o, i0 + o + n, s.i.data());
  scan_forward_range(c, {g.steps, n}, 0, n, s.x.data(), s.v.data(), s.i.data(), s.z.data(),
                     keep_v_dec ? s.v_dec.data() : nullptr, nullptr);
}

// pooled (steps, count, oh, ow) at plane p = the max of each window of z (steps, h, w).
void pool_plane(const Planes& g, int64_t p, const float* z, float* pooled) {
  for (int64_t t = 0; t < g.steps; ++t) {
    const float* zt = z + t * g.n();
    float* out = pooled + (t * g.count + p) * g.pooled();
    for (int64_t r = 0; r < g.oh(); ++r) {
      const float *r0 = zt + 2 * r * g.w, *r1 = r0 + g.w;
      for (int64_t q = 0; q < g.ow(); ++q)
        out[r * g.ow() + q] =
            std::max(std::max(r0[2 * q], r0[2 * q + 1]), std::max(r1[2 * q], r1[2 * q + 1]));
    }
  }
}

// Plane p's pooled gradient onto the taps that max_pool2d's backward picks: in each 2 x 2
// window the first (row-major) holding the maximum, which for spikes (0 or 1) is the first
// spike, or the first tap if none; the other taps get 0 (or -0, which changes no sum). The
// picks are products of the 0/1 spikes, which vectorise: which tap wins is unpredictable, and
// a chain of branches took 14 ms per ConvNet4 batch, 3.5x the scan it follows.
void unpool_plane(const Planes& g, int64_t p, const float* gpooled, Scratch& s) {
  if (g.h % 2 || g.w % 2) std::fill(s.gz.begin(), s.gz.end(), 0.0f);  // taps of no window
  for (int64_t t = 0; t < g.steps; ++t) {
    const float* gt = gpooled + (t * g.count + p) * g.pooled();
    for (int64_t r = 0; r < g.oh(); ++r) {
      const int64_t row = t * g.n() + 2 * r * g.w;
      const float *z0 = s.z.data() + row, *z1 = z0 + g.w, *gr = gt + r * g.ow();
      float *g0 = s.gz.data() + row, *g1 = g0 + g.w;
      for (int64_t q = 0; q < g.ow(); ++q) {
        const float a = z0[2 * q], b = z0[2 * q + 1], c = z1[2 * q], d = z1[2 * q + 1];
        const float v = gr[q], na = 1 - a, nab = na * (1 - b), nabc = nab * (1 - c);
        g0[2 * q] = v * (a + nabc * (1 - d));
        g0[2 * q + 1] = v * (na * b);
        g1[2 * q] = v * (nab * c);
        g1[2 * q + 1] = v * (nabc * d);
      }
    }
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
  float* out = gx + p * n;
  std::copy(s.gx.data() + (g.steps - 1) * n, s.gx.data() + g.steps * n, out);
  for (int64_t t = g.steps - 2; t >= 0; --t)
    for (int64_t k = 0; k < n; ++k) out[k] += s.gx[size_t(t * n + k)];
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

void check(const Tensor& x, int64_t steps, const Tensor& v0, const Tensor& i0,
           const CurrentScanConfig& c) {
  const char* who = "constant_current_pool_scan";
  require_cpu(who, x, v0, i0);
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
}

}  // namespace

PooledScanResult constant_current_pool_scan(const Tensor& x, int64_t steps, const Tensor& v0,
                                            const Tensor& i0, const CurrentScanConfig& c,
                                            bool keep_spikes) {
  check(x, steps, v0, i0, c);
  const Planes g{steps, x.size(0) * x.size(1), x.size(2), x.size(3)};
  const Tensor xd = x.detach(), v0d = v0.detach(), i0d = i0.detach();
  PooledScanResult r;
  r.pooled = Tensor::uninitialized({steps, x.size(0), x.size(1), g.oh(), g.ow()});
  r.v = Tensor::uninitialized(x.shape()), r.i = Tensor::uninitialized(x.shape());
  Shape full{steps, x.size(0), x.size(1), g.h, g.w};
  if (keep_spikes) r.z = Tensor::uninitialized(full);
  for_planes(g, false, [&](int64_t p0, int64_t p1, Scratch& s) {
    for (int64_t p = p0; p < p1; ++p) {
      scan_plane(g, c, p, xd.data(), v0d.data(), i0d.data(), s, false);
      pool_plane(g, p, s.z.data(), r.pooled.data());
      std::copy(s.v.begin(), s.v.end(), r.v.data() + p * g.n());
      std::copy(s.i.begin(), s.i.end(), r.i.data() + p * g.n());
      for (int64_t t = 0; keep_spikes && t < steps; ++t)
        std::copy(s.z.data() + t * g.n(), s.z.data() + (t + 1) * g.n(),
                  r.z.data() + (t * g.count + p) * g.n());
    }
  });
  if (!GradMode::enabled() || !x.requires_grad()) return r;
  r.pooled =
      record("constant_current_pool_scan", r.pooled, {x}, [g, c, xd, v0d, i0d](const Tensor& gout) {
        Tensor gx = Tensor::uninitialized(xd.shape());
        for_planes(g, true, [&](int64_t p0, int64_t p1, Scratch& s) {
          for (int64_t p = p0; p < p1; ++p) {
            scan_plane(g, c, p, xd.data(), v0d.data(), i0d.data(), s, true);
            unpool_plane(g, p, gout.data(), s);
            backward_plane(g, c, p, s, gx.data());
          }
        });
        return Tensors{gx};
      });
  return r;
}

}  // namespace soma
