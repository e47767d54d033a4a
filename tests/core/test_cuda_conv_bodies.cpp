// The CUDA convolution and pooling (core/backend/cuda/conv_body.hpp, pool_body.hpp,
// conv_chunks.hpp, constant_pool_body.hpp) on the host against the CPU's conv2d, max_pool2d and
// avg_pool2d, values and gradients: the bodies run in loops standing in for the grid, the chunked
// pipeline with the CPU GEMM in place of cuBLAS. What this cannot see (the .cu launches, cuBLAS) is
// left to tests/cuda/.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/backend/cuda/constant_pool_body.hpp"
#include "core/backend/cuda/conv_body.hpp"
#include "core/backend/cuda/conv_chunks.hpp"
#include "core/backend/cuda/pool_body.hpp"
#include "core/backend/gemm.hpp"
#include "core/neuron/constant_current_pool.hpp"
#include "core/ops/conv.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;
using Floats = std::vector<float>;

// conv.cu's kernels as loops over their bodies, and the CPU GEMM for cuBLAS.
struct HostConvOps {
  void im2col(const cuda::ConvShape& s, const float* x, float* col) const {
    for (int64_t e = 0; e < s.k() * s.nl(); ++e) cuda::im2col_at(s, x, col, e);
  }
  void col2im(const cuda::ConvShape& s, const float* col, float* x) const {
    for (int64_t e = 0; e < s.n * s.in_size(); ++e) cuda::col2im_at(s, col, x, e);
  }
  void to_images(const cuda::ConvShape& s, const float* wide, const float* b, float* out) const {
    for (int64_t e = 0; e < s.n * s.out_size(); ++e) cuda::wide_to_image_at(s, wide, b, out, e);
  }
  void to_wide(const cuda::ConvShape& s, const float* out, float* wide) const {
    for (int64_t e = 0; e < s.cout * s.nl(); ++e) cuda::image_to_wide_at(s, out, wide, e);
  }
  void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
            const float* b, float beta, float* c) const {
    soma::gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
  }
};

struct ConvCase {
  int64_t n, cin, h, w, cout, kh, kw;
  int stride, pad;
  int64_t chunk_floats;  // small budgets force several chunks
};

// The host pipeline's forward and all three gradients against conv2d's.
void check_conv_case(const ConvCase& c, bool bias) {
  Tensor x = random_tensor({c.n, c.cin, c.h, c.w}, 1).requires_grad_();
  Tensor w = random_tensor({c.cout, c.cin, c.kh, c.kw}, 2).requires_grad_();
  Tensor b = bias ? random_tensor({c.cout}, 3).requires_grad_() : Tensor();
  Tensor y = conv2d(x, w, b, {c.stride, c.pad});
  const cuda::ConvShape s{c.n,  c.cin,     c.h,       c.w,      c.cout, c.kh,
                          c.kw, y.size(2), y.size(3), c.stride, c.pad};
  const int64_t chunk = cuda::conv_chunk(s, c.chunk_floats);
  Floats col(size_t(s.k() * chunk * s.l())), wide(size_t(s.cout * chunk * s.l()));
  Floats ones(size_t(chunk * s.l()), 1.0f);
  const cuda::ConvScratch t{col.data(), wide.data(), ones.data()};
  const Floats xs = x.to_vector(), ws = w.to_vector();
  const Floats bs = bias ? b.to_vector() : Floats();
  Floats out(size_t(y.numel()));
  cuda::conv_forward_chunks(HostConvOps{}, s, chunk, xs.data(), ws.data(),
                            bias ? bs.data() : nullptr, out.data(), t);
  check_close_to_scale(y.to_vector(), out);

  Tensor g = random_tensor(y.shape(), 4);
  sum(y * g).backward();
  const Floats gs = g.to_vector();
  Floats gx(xs.size(), NAN), gw(ws.size(), NAN), gb(size_t(c.cout), NAN);  // all written
  cuda::conv_backward_chunks(HostConvOps{}, s, chunk, xs.data(), ws.data(), gs.data(), gx.data(),
                             gw.data(), bias ? gb.data() : nullptr, t);
  check_close_to_scale(x.grad().to_vector(), gx);
  check_close_to_scale(w.grad().to_vector(), gw);
  if (bias) check_close_to_scale(b.grad().to_vector(), gb);
}

}  // namespace

TEST_CASE("cuda bodies: im2col + GEMM in chunks equals conv2d, values and all gradients") {
  const int64_t big = int64_t(1) << 26;
  const ConvCase cases[] = {
      {3, 2, 12, 12, 4, 5, 5, 1, 0, big},  // ConvNet4's shapes, scaled down
      {5, 3, 9, 8, 6, 3, 3, 1, 1, 4000},   // cifar10's padding 1, chunks of 2 images
      {4, 2, 11, 10, 3, 3, 2, 2, 2, 1},    // stride 2, padding past the kernel edge, 1 image
      {3, 4, 5, 6, 5, 1, 1, 1, 0, 400},    // pointwise, chunks of 2 + 1
      {2, 1, 7, 7, 2, 7, 7, 3, 0, big},    // kernel as large as the image
  };
  for (const ConvCase& c : cases)
    for (bool bias : {true, false}) {
      CAPTURE(c.kh);
      CAPTURE(c.stride);
      CAPTURE(c.pad);
      CAPTURE(c.chunk_floats);
      CAPTURE(bias);
      check_conv_case(c, bias);
    }
}

TEST_CASE("cuda bodies: conv chunks cover the batch within the budget, one image at least") {
  const cuda::ConvShape s{100, 32, 12, 12, 64, 5, 5, 8, 8, 1, 0};  // K 800, L 64
  CHECK(cuda::conv_chunk(s, int64_t(1) << 26) == 100);
  CHECK(cuda::conv_chunk(s, 800 * 64 * 7 + 5) == 7);
  CHECK(cuda::conv_chunk(s, 10) == 1);
  const cuda::ConvShape wide_out{10, 1, 28, 28, 32, 5, 5, 24, 24, 1, 0};  // Cout 32 > K 25
  CHECK(cuda::conv_chunk(wide_out, 32 * 576 * 3) == 3);
}

namespace {

// pool.cu's grid as loops: forward per output, backward per input pixel.
void host_max_pool(const cuda::PoolShape& p, const Floats& x, Floats& out, Floats& arg) {
  out.assign(size_t(p.planes * p.oh * p.ow), 0.0f);
  arg.assign(out.size(), 0.0f);
  for (int64_t e = 0; e < int64_t(out.size()); ++e)
    cuda::max_pool_at(p, x.data(), out.data(), arg.data(), e);
}

Floats host_max_pool_backward(const cuda::PoolShape& p, const Floats& g, const Floats& arg) {
  Floats gx(size_t(p.planes * p.h * p.w), NAN);
  for (int64_t e = 0; e < int64_t(gx.size()); ++e)
    cuda::max_pool_backward_at(p, g.data(), arg.data(), gx.data(), e);
  return gx;
}

// Bit for bit: the same comparisons pick the winner, and each pixel adds its gradients in the
// CPU's order. Values on a coarse grid tie often (spikes are all ties).
void check_pool_case(Tensor x, int k, int stride, int pad) {
  x.requires_grad_();
  Tensor y = max_pool2d(x, k, stride, pad);
  const cuda::PoolShape p{x.size(0) * x.size(1),    x.size(2), x.size(3), y.size(2), y.size(3), k,
                          stride == 0 ? k : stride, pad};
  Floats out, arg;
  host_max_pool(p, x.to_vector(), out, arg);
  const Floats want = y.to_vector();
  REQUIRE(want.size() == out.size());
  for (size_t q = 0; q < out.size(); ++q)
    CHECK((want[q] == out[q] || (std::isnan(want[q]) && std::isnan(out[q]))));
  Tensor g = random_tensor(y.shape(), 7);
  y.backward(g);
  CHECK(x.grad().to_vector() == host_max_pool_backward(p, g.to_vector(), arg));
}

}  // namespace

TEST_CASE("cuda bodies: max pooling equals max_pool2d: maxima, ties, NaN, overlap, gradients") {
  struct PoolCase {
    int k, stride, pad;
  };
  const PoolCase cases[] = {{2, 0, 0}, {3, 2, 1}, {3, 1, 0}, {2, 1, 1}, {3, 3, 1}};
  for (const PoolCase& c : cases) {
    CAPTURE(c.k);
    CAPTURE(c.stride);
    CAPTURE(c.pad);
    check_pool_case(random_tensor({2, 3, 9, 8}, 5), c.k, c.stride, c.pad);
    // Spikes: every window ties; the first maximum wins.
    Floats s = random_tensor({2, 3, 9, 8}, 6, 0.0f, 1.0f).to_vector();
    for (float& v : s) v = v > 0.7f ? 1.0f : 0.0f;
    check_pool_case(Tensor::from({2, 3, 9, 8}, s), c.k, c.stride, c.pad);
    // NaN wins its windows (the last one when there are two).
    Floats n = random_tensor({1, 2, 6, 6}, 8).to_vector();
    n[7] = n[8] = n[30] = std::numeric_limits<float>::quiet_NaN();
    check_pool_case(Tensor::from({1, 2, 6, 6}, n), c.k, c.stride, c.pad);
  }
}

namespace {

// Average pooling's kernels as loops: forward per output, backward per input pixel. The
// forward bit for bit (each window sums in pool.cpp's row-major order); each pixel gathers its
// windows' shares in the order pool.cpp scatters them.
void check_avg_pool_case(const Shape& shape, int k, int stride, int pad) {
  Tensor x = random_tensor(shape, 9).requires_grad_();
  Tensor y = avg_pool2d(x, k, stride, pad);
  const cuda::PoolShape p{x.size(0) * x.size(1),    x.size(2), x.size(3), y.size(2), y.size(3), k,
                          stride == 0 ? k : stride, pad};
  const Floats xs = x.to_vector();
  Floats out(size_t(y.numel()), NAN);
  for (int64_t e = 0; e < y.numel(); ++e) cuda::avg_pool_at(p, xs.data(), out.data(), e);
  CHECK(y.to_vector() == out);
  Tensor g = random_tensor(y.shape(), 10);
  y.backward(g);
  const Floats gs = g.to_vector();
  Floats gx(xs.size(), NAN);  // every pixel written, those under no window with 0
  for (int64_t e = 0; e < x.numel(); ++e) cuda::avg_pool_backward_at(p, gs.data(), gx.data(), e);
  // Close, not equal: where windows overlap, the compiler may fuse the shares' products and
  // sums differently in the two loops (1e-8 apart in the native build, equal in others).
  check_close_to_scale(x.grad().to_vector(), gx);
}

}  // namespace

TEST_CASE("cuda bodies: average pooling equals avg_pool2d: padding counted, overlap, gradients") {
  struct PoolCase {
    int k, stride, pad;
  };
  // {3, 4, 0} leaves pixels under no window; {2, 1, 1} and {3, 2, 1} overlap and pad.
  const PoolCase cases[] = {{2, 0, 0}, {3, 2, 1}, {3, 1, 0}, {2, 1, 1}, {3, 3, 1}, {3, 4, 0}};
  for (const PoolCase& c : cases) {
    CAPTURE(c.k);
    CAPTURE(c.stride);
    CAPTURE(c.pad);
    check_avg_pool_case({2, 3, 9, 8}, c.k, c.stride, c.pad);
    check_avg_pool_case({1, 1, 4, 5}, c.k, c.stride, c.pad);
  }
}

namespace {

// constant_pool.cu's kernels as loops: the forward over every cell, the backward over every
// window, against the CPU's constant_current_pool_scan with the same inputs.
void check_pool_scan_body(const Shape& shape, int64_t steps, float lo, float hi, Reset reset) {
  CAPTURE(to_string(shape));
  CAPTURE(int(reset));
  LIFParameters lp;
  lp.surrogate = {SurrogateMethod::super, 10.0f};
  lp.v_th = 0.7f;
  lp.reset = reset;
  const CurrentScanConfig c = lif_scan_config(lp, false, true);
  Tensor x = random_tensor(shape, 31, lo, hi).requires_grad_();
  Tensor v0 = random_tensor(shape, 32, -0.2f, 0.5f), i0 = random_tensor(shape, 33, 0.0f, 0.3f);
  PooledScanResult r = constant_current_pool_scan(x, steps, v0, i0, c, true);
  Tensor gp = random_tensor(r.pooled.shape(), 34);
  r.pooled.backward(gp);

  const cuda::PoolScanShape s{shape[0] * shape[1], shape[2], shape[3]};
  const cuda::LeakyScanParams p = leaky_scan_params(c, {steps, x.numel()});
  const int64_t cells = s.count * ((s.h + 1) / 2) * ((s.w + 1) / 2);
  const int64_t windows = s.count * (s.h / 2) * (s.w / 2);
  const Floats xs = x.to_vector(), vs = v0.to_vector(), is = i0.to_vector(), gs = gp.to_vector();
  Floats v = vs, i = is, pooled(size_t(steps * windows), -1), z(size_t(steps * x.numel()), -1);
  for (int64_t k = 0; k < cells; ++k)
    cuda::pool_scan_forward_cell(p, s, {xs.data(), v.data(), i.data(), pooled.data(), z.data()}, k);
  CHECK(r.pooled.to_vector() == pooled);
  CHECK(r.z.to_vector() == z);
  check_close_to_scale(r.v.to_vector(), v);
  check_close_to_scale(r.i.to_vector(), i);

  Floats v_dec(size_t(steps * 4 * windows)), gx(size_t(x.numel()), 0.0f);
  for (int64_t k = 0; k < windows; ++k)
    cuda::pool_scan_backward_window(
        p, s, {xs.data(), vs.data(), is.data(), gs.data(), v_dec.data(), gx.data()}, k);
  // 1e-4: the CPU kernels contract FMAs, the bodies do not (leaky_scan_body's test).
  check_close_to_scale(x.grad().to_vector(), gx, 1e-4f);
}

}  // namespace

TEST_CASE("cuda bodies: the pooled constant-current scan equals constant_current_pool_scan") {
  for (Reset reset : {Reset::subtract, Reset::value}) {
    check_pool_scan_body({2, 3, 6, 8}, 9, 0, 1.5f, reset);    // even sizes
    check_pool_scan_body({1, 2, 5, 7}, 4, -0.5f, 2, reset);   // odd: the edge cells' taps
    check_pool_scan_body({2, 2, 4, 4}, 6, -1, -0.5f, reset);  // no spikes: tap 0 takes it all
    check_pool_scan_body({2, 2, 4, 6}, 6, 50, 60, reset);     // a spike every step
    check_pool_scan_body({3, 1, 9, 24}, 16, 0, 1, reset);     // conv1-like rows
  }
}
