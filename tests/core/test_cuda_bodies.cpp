// The CUDA kernels' bodies (core/backend/cuda/*_body.hpp, philox.hpp) run here on the host, a
// loop standing in for the grid, against the CPU ops: the arithmetic of every GPU kernel is
// checked on machines without a GPU (CI). What this cannot see (indexing inside the .cu files,
// launches, device rounding) is left to the GPU suite, tests/cuda/.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/backend/cuda/bce_body.hpp"
#include "core/backend/cuda/elementwise_body.hpp"
#include "core/backend/cuda/encode_body.hpp"
#include "core/backend/cuda/leaky_scan_body.hpp"
#include "core/backend/cuda/lstm_body.hpp"
#include "core/backend/cuda/optim_body.hpp"
#include "core/backend/cuda/philox.hpp"
#include "core/backend/cuda/recurrent_body.hpp"
#include "core/backend/cuda/reduce_body.hpp"
#include "core/backend/cuda/surrogate_body.hpp"
#include "core/backend/cuda/unary_body.hpp"
#include "core/neuron/current_scan.hpp"
#include "core/neuron/lif_box.hpp"
#include "core/neuron/lif_recurrent.hpp"
#include "core/neuron/surrogate.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/loss.hpp"
#include "core/ops/lstm_cell.hpp"
#include "core/ops/reduce.hpp"
#include "core/ops/shape_ops.hpp"
#include "core/optim/optim.hpp"
#include "core/random/rng.hpp"
#include "recurrent_inputs.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;

using Floats = std::vector<float>;

Floats uniform(int64_t n, uint64_t seed, float lo, float hi) {
  Rng rng(seed);
  return Tensor::rand({n}, rng, lo, hi).to_vector();
}

}  // namespace

TEST_CASE("cuda bodies: Philox4x32-10 gives the published known answers") {
  // Random123's tests/kat_vectors, rows "philox4x32 10": counter, key -> output.
  struct Kat {
    cuda::Philox4 counter;
    uint32_t k0, k1;
    cuda::Philox4 out;
  };
  const Kat kats[] = {
      {{{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
       0xffffffff,
       0xffffffff,
       {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
       0xa4093822,
       0x299f31d0,
       {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
  };
  for (const Kat& k : kats) {
    const cuda::Philox4 r = cuda::philox4x32_10(k.counter, k.k0, k.k1);
    for (int l = 0; l < 4; ++l) CHECK(r.w[l] == k.out.w[l]);
  }
  CHECK(cuda::philox_uniform(0) == 0.0f);
  CHECK(cuda::philox_uniform(0xffffffffu) < 1.0f);
  CHECK(cuda::philox_uniform(0xffffffffu) == 1.0f - 1.0f / 16777216.0f);
}

TEST_CASE("cuda bodies: the device surrogates equal Surrogate::grad, numbered as SurrogateMethod") {
  REQUIRE(surrogate_names().size() == 7);
  for (int m = 0; m < 7; ++m)
    for (float alpha : {0.5f, 1.0f, 2.0f, 100.0f})
      for (float x = -3.0f; x <= 3.0f; x += 0.0625f) {
        CAPTURE(surrogate_name(SurrogateMethod(m)));
        CAPTURE(alpha);
        CAPTURE(x);
        const float cpu = Surrogate{SurrogateMethod(m), alpha}.grad(x);
        const float dev = cuda::surrogate_grad(m, alpha, x);
        CHECK(std::fabs(cpu - dev) <= 1e-6f * std::max(1.0f, std::fabs(cpu)));
      }
}

TEST_CASE("cuda bodies: element-wise ops") {
  CHECK(cuda::apply_binary(cuda::BinaryOp::add, 1.5f, 2.0f) == 3.5f);
  CHECK(cuda::apply_binary(cuda::BinaryOp::sub, 1.5f, 2.0f) == -0.5f);
  CHECK(cuda::apply_binary(cuda::BinaryOp::mul, 1.5f, 2.0f) == 3.0f);
  CHECK(cuda::apply_binary(cuda::BinaryOp::div, 1.5f, 2.0f) == 0.75f);
}

TEST_CASE("cuda bodies: the leaky scan per neuron equals current_scan: state, spikes, gradients") {
  const int64_t T = 43, B = 3, H = 37, W = B * H;  // T: 5 chunks of kScanChunk and 3 steps
  for (bool spiking : {true, false})
    for (Reset reset : {Reset::value, Reset::subtract})
      for (SurrogateMethod m :
           {SurrogateMethod::super, SurrogateMethod::triangle, SurrogateMethod::logistic}) {
        CAPTURE(spiking);
        CAPTURE(int(reset));
        CAPTURE(int(m));
        LIFParameters p;
        p.reset = reset;
        p.surrogate = {m, m == SurrogateMethod::triangle ? 0.5f : 100.0f};
        const CurrentScanConfig c = lif_scan_config(p, false, spiking);
        Rng rng(7);
        Tensor x = Tensor::rand({T, B, H}, rng, -2.0f, 8.0f).requires_grad_();
        Tensor v0 = Tensor::rand({B, H}, rng, 0.0f, 0.5f).requires_grad_();
        Tensor i0 = Tensor::rand({B, H}, rng, 0.0f, 1.0f).requires_grad_();
        CurrentScanResult r = current_scan(x, v0, i0, c, true);

        // The forward kernel: one "thread" per neuron.
        const cuda::LeakyScanParams kp = leaky_scan_params(c, {T, W});
        Floats xs = x.to_vector(), v = v0.to_vector(), i = i0.to_vector();
        Floats z(size_t(T * W), -1.0f), v_dec(size_t(T * W)), trace(size_t(T * W));
        const cuda::LeakyScanArrays a{xs.data(),    v.data(),
                                      i.data(),     spiking ? z.data() : nullptr,
                                      v_dec.data(), trace.data()};
        for (int64_t k = 0; k < W; ++k) cuda::leaky_forward_neuron(kp, a, k, W);
        check_close_to_scale(r.v.to_vector(), v);
        check_close_to_scale(r.i.to_vector(), i);
        check_close_to_scale(r.trace.to_vector(), trace);
        if (spiking) {
          CHECK(r.z.to_vector() == z);
          CHECK(std::count(z.begin(), z.end(), 1.0f) > 0);
        }

        // The backward kernel, from the gradients of the spikes (or the trace) alone.
        Rng grng(8);
        Tensor g = Tensor::rand({T, B, H}, grng, -1.0f, 1.0f);
        (spiking ? r.z : r.trace).backward(g);
        const Floats gs = g.to_vector();
        Floats gx(size_t(T * W)), gv(size_t(W), 0.0f), gi(size_t(W), 0.0f);
        const cuda::LeakyScanGrads gr{v_dec.data(),
                                      spiking ? gs.data() : nullptr,
                                      spiking ? nullptr : gs.data(),
                                      gx.data(),
                                      gv.data(),
                                      gi.data()};
        for (int64_t k = 0; k < W; ++k) cuda::leaky_backward_neuron(kp, gr, k);
        // 1e-4: the CPU kernels (x86-64-v3/v4) contract a b + c into FMAs, the bodies (and the
        // GPU, --fmad=false) do not; SuperSpike at alpha 100 scales a rounding difference of
        // v_dec by up to 200 / (alpha |x| + 1), and 40 reverse steps compound it (measured 2e-5
        // of the scale at reset-subtract).
        check_close_to_scale(x.grad().to_vector(), gx, 1e-4f);
        check_close_to_scale(v0.grad().to_vector(), gv, 1e-4f);
        check_close_to_scale(i0.grad().to_vector(), gi, 1e-4f);
      }
}

TEST_CASE("cuda bodies: the constant-input scan (x_step 0) equals constant_input_spikes") {
  const int64_t T = 50, W = 300;
  LIFBoxParameters bp;
  const CurrentScanConfig c = lif_box_scan_config(bp);
  Floats xs = uniform(W, 9, 0.0f, 3.0f);  // above v_th - v_leak: most neurons fire
  Tensor x = Tensor::from({W}, xs);
  const Floats cpu =
      constant_input_spikes(x, T, Tensor::full({W}, bp.v_leak), Tensor::zeros({W}), c).to_vector();
  Floats v(size_t(W), bp.v_leak), i(size_t(W), 0.0f), z(size_t(T * W), -1.0f);
  const cuda::LeakyScanParams kp = leaky_scan_params(c, {T, W});
  for (int64_t k = 0; k < W; ++k)
    cuda::leaky_forward_neuron(kp, {xs.data(), v.data(), i.data(), z.data(), nullptr, nullptr}, k,
                               0);
  CHECK(cpu == z);
  CHECK(std::count(z.begin(), z.end(), 1.0f) > 0);
}

namespace {

// A parameter of n elements with a fresh random gradient for each of `steps` steps, run
// through `make`'s CPU optimizer; `device` emulates the kernel on copies of the same arrays.
template <class Make, class Device>
void compare_optimizer(Make make, Device device, int steps = 4) {
  const int64_t n = 257;
  Tensor p = Tensor::from({n}, uniform(n, 10, -1.0f, 1.0f)).requires_grad_();
  Floats hp = p.to_vector();
  auto opt = make(Tensors{p});
  for (int s = 1; s <= steps; ++s) {
    const Floats g = uniform(n, uint64_t(100 + s), -1.0f, 1.0f);
    p.set_grad(Tensor::from({n}, g));
    opt->step();
    device(s, hp, g);
    check_close_to_scale(p.to_vector(), hp, 1e-6f);
  }
}

}  // namespace

TEST_CASE("cuda bodies: the Adam step equals optim::Adam and AdamW") {
  for (bool decoupled : {false, true})
    for (float wd : {0.0f, 0.1f}) {
      CAPTURE(decoupled);
      CAPTURE(wd);
      const float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
      Floats m(257, 0.0f), v(257, 0.0f);
      compare_optimizer(
          [&](Tensors ps) -> std::unique_ptr<optim::Optimizer> {
            if (decoupled)
              return std::make_unique<optim::AdamW>(ps, optim::AdamWOptions{lr, b1, b2, eps, wd});
            return std::make_unique<optim::Adam>(ps, optim::AdamOptions{lr, b1, b2, eps, wd});
          },
          [&](int t, Floats& p, const Floats& g) {
            // As Adam::update_cuda.
            const double c1 = 1 - std::pow(double(b1), double(t)),
                         c2 = 1 - std::pow(double(b2), double(t));
            const cuda::AdamStep s{
                b1, b2, eps, wd, float(lr / c1), float(std::sqrt(c2)), 1 - lr * wd, decoupled};
            for (int64_t k = 0; k < int64_t(p.size()); ++k)
              cuda::adam_element(s, p.data(), g.data(), m.data(), v.data(), k);
          });
    }
}

TEST_CASE("cuda bodies: the SGD step equals optim::SGD (momentum, dampening, nesterov, decay)") {
  struct Case {
    float momentum, dampening, wd;
    bool nesterov;
  };
  for (Case c : {Case{0, 0, 0, false}, Case{0.9f, 0, 0, false}, Case{0.9f, 0.1f, 0.01f, false},
                 Case{0.9f, 0, 0.01f, true}}) {
    CAPTURE(c.momentum);
    CAPTURE(c.nesterov);
    const float lr = 0.05f;
    Floats buf(257, 0.0f);
    compare_optimizer(
        [&](Tensors ps) {
          return std::make_unique<optim::SGD>(
              ps, optim::SGDOptions{lr, c.momentum, c.dampening, c.wd, c.nesterov});
        },
        [&](int t, Floats& p, const Floats& g) {
          const cuda::SgdStep s{lr, c.momentum, c.dampening, c.wd, c.nesterov, t == 1};
          for (int64_t k = 0; k < int64_t(p.size()); ++k)
            cuda::sgd_element(s, p.data(), g.data(), buf.data(), k);
        });
  }
}

TEST_CASE("cuda bodies: Poisson spikes fire at rate dt f_max x, keyed and reproducible") {
  // Five rates, each over 4000 steps.
  const Floats x = {0.0f, 0.1f, 0.5f, 0.9f, 1.0f};
  const int64_t n = 5, steps = 4000, total = n * steps;
  auto draw = [&](uint64_t key) {
    Floats out(size_t(total), -1.0f);
    const cuda::PoissonDraw d{key, 1.0f, n, total};
    for (int64_t b = 0; b < (total + 3) / 4; ++b) cuda::poisson_block(d, x.data(), out.data(), b);
    return out;
  };
  const Floats a = draw(0x1234567890abcdefull);
  for (int64_t j = 0; j < n; ++j) {
    double count = 0;
    for (int64_t t = 0; t < steps; ++t) {
      const float z = a[size_t(t * n + j)];
      REQUIRE((z == 0.0f || z == 1.0f));
      count += z;
    }
    const double p = x[size_t(j)], sigma = std::sqrt(p * (1 - p) / double(steps));
    CAPTURE(j);
    CHECK(std::fabs(count / double(steps) - p) <= 5 * sigma + 1e-12);
  }
  CHECK(draw(0x1234567890abcdefull) == a);
  CHECK(draw(0x1234567890abcdeeull) != a);
  // An odd total: the last block stops at the end of the array.
  Floats tail(7, -1.0f);
  const cuda::PoissonDraw d{1, 1.0f, 5, 7};
  for (int64_t b = 0; b < 2; ++b) cuda::poisson_block(d, x.data(), tail.data(), b);
  CHECK(std::count(tail.begin(), tail.end(), -1.0f) == 0);
}

TEST_CASE("cuda bodies: signed Poisson spikes fire at rate dt f_max |x| with x's sign") {
  const Floats x = {-1.0f, -0.3f, 0.0f, 0.3f, 0.8f};
  const int64_t n = 5, steps = 4000, total = n * steps;
  Floats out(size_t(total), -2.0f);
  const cuda::PoissonDraw d{0x2468ace013579bdfull, 1.0f, n, total, true};
  for (int64_t b = 0; b < (total + 3) / 4; ++b) cuda::poisson_block(d, x.data(), out.data(), b);
  for (int64_t j = 0; j < n; ++j) {
    const float v = x[size_t(j)], sign = v < 0 ? -1.0f : 1.0f;
    double count = 0;
    for (int64_t t = 0; t < steps; ++t) {
      const float z = out[size_t(t * n + j)];
      REQUIRE((z == 0.0f || z == sign));
      count += std::fabs(z);
    }
    const double p = std::fabs(v), sigma = std::sqrt(p * (1 - p) / double(steps));
    CAPTURE(j);
    CHECK(std::fabs(count / double(steps) - p) <= 5 * sigma + 1e-12);
  }
}

namespace {

// Every lane of (outer, n, inner) through a lane body, as reduce.cu's grid does.
template <class F>
void each_lane(const cuda::LaneShape& l, F body) {
  for (int64_t k = 0; k < l.outer * l.inner; ++k) body(k);
}

}  // namespace

TEST_CASE("cuda bodies: sum and max along a dimension, and their gradients, equal the CPU ops") {
  Rng rng(11);
  Tensor x = Tensor::rand({4, 6, 5}, rng, -1.0f, 1.0f).requires_grad_();
  const Floats xs = x.to_vector();
  for (int dim = 0; dim < 3; ++dim) {
    CAPTURE(dim);
    const Shape& sh = x.shape();
    cuda::LaneShape l{1, sh[size_t(dim)], 1};
    for (int i = 0; i < dim; ++i) l.outer *= sh[size_t(i)];
    for (int i = dim + 1; i < 3; ++i) l.inner *= sh[size_t(i)];
    const int64_t lanes = l.outer * l.inner;
    Rng grng(12);
    Tensor g = Tensor::rand({lanes}, grng, -1.0f, 1.0f);
    const Floats gs = g.to_vector();

    Tensor s = sum(x, dim);
    Floats out(static_cast<size_t>(lanes)), gx(xs.size());
    each_lane(l, [&](int64_t k) { cuda::lane_sum(l, xs.data(), out.data(), k); });
    check_close_to_scale(s.to_vector(), out);
    s.backward(reshape(g, s.shape()));
    for (int64_t e = 0; e < x.numel(); ++e) cuda::lane_expand_at(l, gs.data(), 1.0f, gx.data(), e);
    check_close_to_scale(x.grad().to_vector(), gx);
    x.zero_grad();

    Tensor m = max(x, dim);
    Floats idx(static_cast<size_t>(lanes));
    each_lane(l, [&](int64_t k) { cuda::lane_max(l, xs.data(), out.data(), idx.data(), k); });
    CHECK(m.to_vector() == out);
    m.backward(reshape(g, m.shape()));
    each_lane(l,
              [&](int64_t k) { cuda::lane_max_backward(l, gs.data(), idx.data(), gx.data(), k); });
    CHECK(x.grad().to_vector() == gx);
    x.zero_grad();
  }
  // sum over all elements: one lane, expanded element by element.
  const cuda::LaneShape all{1, x.numel(), 1};
  const float g1 = 0.75f;
  Floats gx(xs.size());
  for (int64_t e = 0; e < x.numel(); ++e) cuda::lane_expand_at(all, &g1, 2.0f, gx.data(), e);
  CHECK(gx == Floats(xs.size(), 1.5f));
}

namespace {

// reduce.cu's split_lane_sum with a host loop for each pass's grid.
template <class In>
void split_lane_sum_host(const cuda::LaneShape& l, const In* x, float* out, int* passes) {
  const int64_t lanes = l.outer * l.inner, pieces = cuda::split_pieces(lanes, l.n);
  ++*passes;
  if (pieces <= 1) {
    each_lane(l, [&](int64_t k) { cuda::lane_sum(l, x, out, k); });
    return;
  }
  std::vector<double> partial(static_cast<size_t>(lanes * pieces));
  for (int64_t t = 0; t < lanes * pieces; ++t)
    cuda::lane_piece_sum(l, x, pieces, partial.data(), t);
  split_lane_sum_host<double>({lanes, pieces, 1}, partial.data(), out, passes);
}

}  // namespace

TEST_CASE("cuda bodies: a sum over few long lanes, split over many threads, equals the CPU sum") {
  // All of a (8, 125000) tensor (one lane: three passes), each of its 8 rows, and its 125000
  // columns (many lanes: one pass, one thread each).
  Rng rng(14);
  Tensor x = Tensor::rand({8, 125000}, rng, 0.0f, 1.0f);
  const Floats xs = x.to_vector();
  struct Case {
    cuda::LaneShape l;
    Tensor want;
    int passes;
  };
  for (const Case& c : {Case{{1, 1000000, 1}, sum(x), 3}, Case{{8, 125000, 1}, sum(x, 1), 3},
                        Case{{1, 8, 125000}, sum(x, 0), 1}}) {
    CAPTURE(c.l.n);
    Floats out(static_cast<size_t>(c.l.outer * c.l.inner));
    int passes = 0;
    split_lane_sum_host<float>(c.l, xs.data(), out.data(), &passes);
    CHECK(passes == c.passes);
    check_close_to_scale(c.want.to_vector(), out);
  }
  CHECK(cuda::split_pieces(1, 1000000) == 15625);  // 64 elements a thread
  CHECK(cuda::split_pieces(1, 100000000) == 131072);
  CHECK(cuda::split_pieces(2560, 32) == 1);
}

TEST_CASE("cuda bodies: the unary ops, values and gradients, equal the CPU ops") {
  // Inputs in (0.2, 2) shifted per op into its domain and across its kinks and bounds.
  const Floats base = uniform(40, 20, 0.2f, 2.0f);
  const Floats gs = uniform(40, 21, -1.0f, 1.0f);
  struct Case {
    const char* name;
    cuda::UnaryOp op;
    cuda::UnaryArgs args;
    float shift;
    Tensor (*cpu)(const Tensor&);
  };
  const Case cases[] = {
      {"exp", cuda::UnaryOp::exp, {}, 0, [](const Tensor& t) { return exp(t); }},
      {"log", cuda::UnaryOp::log, {}, 0, [](const Tensor& t) { return log(t); }},
      {"abs", cuda::UnaryOp::abs, {}, -1, [](const Tensor& t) { return abs(t); }},
      {"sqrt", cuda::UnaryOp::sqrt, {}, 0, [](const Tensor& t) { return sqrt(t); }},
      {"square", cuda::UnaryOp::square, {}, -1, [](const Tensor& t) { return square(t); }},
      {"relu", cuda::UnaryOp::relu, {}, -1, [](const Tensor& t) { return relu(t); }},
      {"sigmoid", cuda::UnaryOp::sigmoid, {}, -1, [](const Tensor& t) { return sigmoid(t); }},
      {"tanh", cuda::UnaryOp::tanh, {}, -1, [](const Tensor& t) { return tanh(t); }},
      {"pow", cuda::UnaryOp::pow, {1.7f, 0}, 0, [](const Tensor& t) { return pow(t, 1.7f); }},
      {"clamp",
       cuda::UnaryOp::clamp,
       {0.5f, 1.5f},
       0,
       [](const Tensor& t) { return clamp(t, 0.5f, 1.5f); }},
      {"softplus",
       cuda::UnaryOp::softplus,
       {2.0f, 3.0f},
       0,
       [](const Tensor& t) { return softplus(t, 2.0f, 3.0f); }},
      {"spike (triangle)",
       cuda::UnaryOp::spike,
       {0.8f, 0, int(SurrogateMethod::triangle)},
       -1,
       [](const Tensor& t) {
         return spike_fn(t, {SurrogateMethod::triangle, 0.8f});
       }},
      {"spike (super)",
       cuda::UnaryOp::spike,
       {100.0f, 0, int(SurrogateMethod::super)},
       -1,
       [](const Tensor& t) {
         return spike_fn(t, {SurrogateMethod::super, 100.0f});
       }}};
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Floats xs = base;
    for (float& v : xs) v += c.shift;
    Tensor x = Tensor::from({40}, xs).requires_grad_();
    Tensor y = c.cpu(x);
    y.backward(Tensor::from({40}, gs));
    Floats out(40), gx(40);
    for (size_t k = 0; k < 40; ++k) out[k] = cuda::unary_value(c.op, c.args, xs[k]);
    for (size_t k = 0; k < 40; ++k)
      gx[k] = gs[k] * cuda::unary_derivative(c.op, c.args, xs[k], out[k]);
    check_close_to_scale(y.to_vector(), out);
    check_close_to_scale(x.grad().to_vector(), gx);
  }
}

TEST_CASE("cuda bodies: binary cross-entropy, values and both gradients, equal the CPU op") {
  // Probabilities inside (0, 1) and at both ends (log clamped at -100), soft targets.
  Floats p = uniform(30, 22, 0.01f, 0.99f), y = uniform(30, 23, 0.0f, 1.0f);
  p[0] = 0.0f, p[1] = 1.0f, y[0] = 0.3f, y[1] = 0.6f;
  const Floats g = uniform(30, 24, -1.0f, 1.0f);
  for (Reduction r : {Reduction::none, Reduction::sum, Reduction::mean}) {
    Tensor x = Tensor::from({30}, p).requires_grad_(), t = Tensor::from({30}, y).requires_grad_();
    Tensor loss = binary_cross_entropy(x, t, r);
    loss.backward(r == Reduction::none ? Tensor::from({30}, g) : Tensor::scalar(g[0]));
    Floats per(30), gx(30), gt(30);
    for (int64_t i = 0; i < 30; ++i) cuda::bce_forward_element(p.data(), y.data(), per.data(), i);
    const float scale = r == Reduction::mean ? 1.0f / 30 : 1.0f;
    const cuda::BceGrad b{p.data(),  y.data(), g.data(), scale, r == Reduction::none,
                          gx.data(), gt.data()};
    for (int64_t i = 0; i < 30; ++i) cuda::bce_backward_element(b, i);
    if (r == Reduction::none) check_close_to_scale(loss.to_vector(), per);
    check_close_to_scale(x.grad().to_vector(), gx);
    check_close_to_scale(t.grad().to_vector(), gt);
  }
}

TEST_CASE("cuda bodies: log_softmax and nll_loss, values and gradients, equal the CPU ops") {
  const int64_t n = 9, c = 10;
  Rng rng(13);
  Tensor x = Tensor::rand({n, c}, rng, -5.0f, 5.0f).requires_grad_();
  Tensor target = Tensor::from({n}, {0, 3, 9, 2, 2, 7, 1, 5, 4});
  const Floats xs = x.to_vector(), ts = target.to_vector();
  for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none}) {
    CAPTURE(int(r));
    Tensor lp = log_softmax(x, 1);
    Tensor loss = nll_loss(lp, target, r);
    const cuda::LaneShape l{n, c, 1};
    Floats y(xs.size()), per(static_cast<size_t>(n));
    each_lane(l, [&](int64_t k) { cuda::lane_log_softmax(l, xs.data(), y.data(), k); });
    check_close_to_scale(lp.to_vector(), y);
    for (int64_t i = 0; i < n; ++i) cuda::nll_row(c, y.data(), ts.data(), per.data(), i);
    double total = 0;
    for (float v : per) total += v;
    if (r == Reduction::none)
      check_close_to_scale(loss.to_vector(), per);
    else
      check_close_to_scale(loss.to_vector(),
                           {float(r == Reduction::mean ? total / double(n) : total)});

    Rng grng(14);
    Tensor g = r == Reduction::none ? Tensor::rand({n}, grng, -1.0f, 1.0f) : Tensor::scalar(0.7f);
    loss.backward(g);
    const Floats gs = g.to_vector();
    Floats glp(xs.size()), gx(xs.size());
    const float scale = r == Reduction::mean ? 1.0f / float(n) : 1.0f;
    for (int64_t i = 0; i < n; ++i)
      cuda::nll_row_backward(c, ts.data(), gs.data(), scale, r == Reduction::none, glp.data(), i);
    each_lane(l, [&](int64_t k) {
      cuda::lane_log_softmax_backward(l, glp.data(), y.data(), gx.data(), k);
    });
    check_close_to_scale(x.grad().to_vector(), gx);
    x.zero_grad();
  }
  // A target outside [0, C) poisons the loss (the CPU op throws).
  Floats bad = {0, 10, 0, 0, 0, 0, 0, 0, -1}, per(static_cast<size_t>(n));
  Floats y(xs.size());
  for (int64_t i = 0; i < n; ++i) cuda::nll_row(c, y.data(), bad.data(), per.data(), i);
  CHECK(std::isnan(per[1]));
  CHECK(std::isnan(per[8]));
  CHECK(!std::isnan(per[0]));
}

TEST_CASE(
    "cuda bodies: the fused recurrent LIF step equals lif_recurrent_sequence, with gradients") {
  const int64_t T = 25, B = 4, H = 31, n = B * H;
  for (Reset reset : {Reset::value, Reset::subtract}) {
    CAPTURE(int(reset));
    LIFParameters p;
    p.reset = reset;
    Rng rng(21);
    const test::RecurrentInputs in = test::random_recurrent_inputs(T, B, H, rng, 6.0f);
    const auto& [x, w, z0, v0, i0] = in;
    LIFRecurrentSequence r = lif_recurrent_sequence(x, w, {z0, v0, i0}, p);

    // Forward: one "launch" per step, one "thread" per neuron.
    const cuda::LeakyScanParams kp{p.dt * p.tau_mem_inv,
                                   1.0f - p.dt * p.tau_syn_inv,
                                   p.v_leak,
                                   p.v_th,
                                   p.v_reset,
                                   true,
                                   reset == Reset::value,
                                   int(p.surrogate.method),
                                   p.surrogate.alpha,
                                   1,
                                   n,
                                   true};
    const Floats xs = x.to_vector(), ws = w.to_vector(), zs0 = z0.to_vector();
    Floats v = v0.to_vector(), i = i0.to_vector(), z(size_t(T * n)), v_dec(size_t(T * n));
    for (int64_t t = 0; t < T; ++t)
      for (int64_t k = 0; k < n; ++k)
        cuda::recurrent_forward_neuron(
            kp,
            {H, ws.data(), t == 0 ? zs0.data() : z.data() + (t - 1) * n, xs.data() + t * n,
             v.data(), i.data(), z.data() + t * n, v_dec.data() + t * n},
            k);
    CHECK(r.z.to_vector() == z);
    CHECK(std::count(z.begin(), z.end(), 1.0f) > 0);
    check_close_to_scale(r.state.v.to_vector(), v);
    check_close_to_scale(r.state.i.to_vector(), i);

    // Backward from the spikes and the final voltage.
    Rng grng(22);
    Tensor gz = Tensor::rand({T, B, H}, grng, -1.0f, 1.0f);
    Tensor gvT = Tensor::rand({B, H}, grng, -1.0f, 1.0f);
    (sum(r.z * gz) + sum(r.state.v * gvT)).backward();
    const Floats gzs = gz.to_vector();
    Floats gcur(size_t(T * n)), gv = gvT.to_vector(), gi(size_t(n), 0.0f);
    for (int64_t t = T - 1; t >= 0; --t)
      for (int64_t k = 0; k < n; ++k)
        cuda::recurrent_backward_neuron(
            kp,
            {H, ws.data(), t + 1 < T ? gcur.data() + (t + 1) * n : nullptr, gzs.data() + t * n,
             v_dec.data() + t * n, gcur.data() + t * n, gv.data(), gi.data()},
            k);
    // 1e-4: as the leaky scan's gradients (FMAs in the CPU kernels, SuperSpike at alpha 100),
    // and the CPU sums the recurrent products in another order; measured up to 3e-5.
    test::check_recurrent_grads(in, gcur, z, gv, gi, 1e-4f);
  }
}

TEST_CASE("cuda bodies: the LSTM cell, h, c and both gradients, equal the CPU op") {
  const int64_t B = 3, H = 7;
  Tensor a = Tensor::from({B, 4 * H}, uniform(B * 4 * H, 30, -3.0f, 3.0f)).requires_grad_();
  Tensor c0 = Tensor::from({B, H}, uniform(B * H, 31, -1.0f, 1.0f)).requires_grad_();
  const Floats gh = uniform(B * H, 32, -1.0f, 1.0f), gc = uniform(B * H, 33, -1.0f, 1.0f);
  LSTMCellOutput cpu = lstm_cell(a, c0);
  sum(cpu.h * Tensor::from({B, H}, gh) + cpu.c * Tensor::from({B, H}, gc)).backward();
  const Floats av = a.to_vector(), cv = c0.to_vector();
  Floats h(size_t(B * H)), c(size_t(B * H)), gates(size_t(B * 4 * H));
  Floats ga(size_t(B * 4 * H)), gcp(size_t(B * H));
  const cuda::LstmCellForward f{H, av.data(), cv.data(), h.data(), c.data(), gates.data()};
  for (int64_t e = 0; e < B * H; ++e) cuda::lstm_cell_at(f, e);
  const cuda::LstmCellBackward b{H,         gates.data(), cv.data(), c.data(),
                                 gh.data(), gc.data(),    ga.data(), gcp.data()};
  for (int64_t e = 0; e < B * H; ++e) cuda::lstm_cell_at(b, e);
  check_close_to_scale(cpu.h.to_vector(), h);
  check_close_to_scale(cpu.c.to_vector(), c);
  check_close_to_scale(a.grad().to_vector(), ga);
  check_close_to_scale(c0.grad().to_vector(), gcp);
}
