#include <doctest/doctest.h>

#include "core/encode/encoders.hpp"
#include "core/neuron/ff_layer.hpp"
#include "core/ops/conv.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/shape_ops.hpp"
#include "core/tensor/memory_stats.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {

// The fused layer against the composed ops it replaces, for a layer callable both ways.
struct Case {
  Tensors leaves;  // x, w, b, v0, i0
  std::function<CurrentScanResult(bool fused)> run;
};

void check_equal(const Case& k, const CurrentScanConfig& c) {
  Rng rng(5);
  auto pass = [&](bool fused) {
    for (Tensor t : k.leaves) t.zero_grad();
    CurrentScanResult r = k.run(fused);
    Tensor out = c.spiking ? r.z : r.trace;
    Tensor w1 = Tensor::rand(out.shape(), rng, -1, 1),
           w2 = Tensor::rand(r.trace.shape(), rng, -1, 1);
    Tensor loss = sum(out * w1) + sum(r.trace * w2) + sum(r.v) + 0.5f * sum(r.i);
    loss.backward();
    Tensors got{out.detach(), r.trace.detach(), r.v.detach(), r.i.detach()};
    for (const Tensor& t : k.leaves) got.push_back(t.grad().clone());
    return got;
  };
  Rng saved = rng;
  Tensors a = pass(true);
  rng = saved;
  Tensors b = pass(false);
  if (c.spiking) CHECK(sum(a[0]).item() > 5);  // spikes and resets are exercised
  // Blocks sum the weight gradient in another order: equal to 4e-5 relative. (The SSE2 GEMM of
  // the generic kernel level, SOMA_ISA=generic, measured 1.02e-5 on one weight-gradient element
  // whose terms cancel; AVX2 and AVX-512 stay under 1e-5.)
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    REQUIRE(a[i].numel() == b[i].numel());
    for (int64_t e = 0; e < a[i].numel(); ++e) {
      float got = a[i].data()[e], want = b[i].data()[e];
      CHECK_MESSAGE(std::abs(got - want) <= 4e-5f * std::max(1.0f, std::abs(want)),
                    "element " << e << ": got " << got << " want " << want);
    }
  }
}

CurrentScanConfig config(const char* model) {
  LIFParameters p;
  std::string m = model;
  if (m == "lif-subtract") {
    p.reset = Reset::subtract;
    p.surrogate = {SurrogateMethod::triangle, 0.3f};
  }
  return lif_scan_config(p, m == "lif-box", m != "li");
}

Case linear_case(const Tensor& x, Rng& rng, const CurrentScanConfig& c, FFLayerOptions opt) {
  int64_t in = x.size(-1), out = 5;
  Tensor w = test::param({out, in}, rng, 0.0f, 1.5f), b = test::param({out}, rng, 0.0f, 1.0f);
  Tensor v0 = test::param({3, out}, rng, -0.3f, 0.8f), i0 = test::param({3, out}, rng, 0.0f, 1.0f);
  Case k{{x, w, b, v0, i0}, {}};
  k.run = [=](bool fused) {
    if (fused) return linear_neuron_sequence(x, w, b, {v0, i0}, c, true, opt);
    return current_scan(linear(x, w, b), v0, i0, c, true);
  };
  return k;
}

}  // namespace

TEST_CASE("linear_neuron_sequence equals linear + current_scan in values and gradients") {
  for (const char* model : {"lif", "lif-subtract", "lif-box", "li"}) {
    CAPTURE(model);
    CurrentScanConfig c = config(model);
    Rng rng(21);
    Tensor x = test::param({11, 3, 4}, rng, 0.0f, 8.0f);
    SUBCASE("dense, blocks of 3 steps") {
      check_equal(linear_case(x, rng, c, {0.0, 9}), c);
    }
    SUBCASE("one block") {
      check_equal(linear_case(x, rng, c, {0.0, 1000}), c);
    }
  }
}

TEST_CASE("linear_neuron_sequence sparse path equals the dense path") {
  CurrentScanConfig c = config("lif");
  Rng rng(22);
  Tensor x = Tensor::rand({40, 3, 30}, rng);
  for (float& e : x.array()) e = e < 0.1f ? 1.0f : 0.0f;
  x.requires_grad_();
  Case sparse = linear_case(x, rng, c, {0.5, 12});
  Case dense = sparse;
  auto run_sparse = sparse.run;
  Tensor w = sparse.leaves[1], b = sparse.leaves[2], v0 = sparse.leaves[3], i0 = sparse.leaves[4];
  for (float& e : w.array()) e *= 10;  // spikes from ~3 active inputs
  dense.run = [=](bool fused) {
    return fused ? run_sparse(true) : linear_neuron_sequence(x, w, b, {v0, i0}, c, true, {0.0, 0});
  };
  check_equal(dense, c);
}

TEST_CASE("linear_neuron_sequence gradients match finite differences") {
  // A smooth model (LI), and LIF kept below threshold: no spike makes the output jump.
  Rng rng(23);
  for (const char* model : {"li", "lif"}) {
    CAPTURE(model);
    CurrentScanConfig c = config(model);
    Tensor x = test::param({6, 2, 3}, rng, -1, 1), w = test::param({4, 3}, rng, -0.3f, 0.3f);
    Tensor b = test::param({4}, rng, -0.3f, 0.3f), v0 = test::param({2, 4}, rng, -0.3f, 0.3f);
    Tensor i0 = test::param({2, 4}, rng, -0.5f, 0.5f);
    CHECK(test::gradcheck(
        [c](const Tensors& t) {
          CurrentScanResult r =
              linear_neuron_sequence(t[0], t[1], t[2], {t[3], t[4]}, c, true, {0.0, 4});
          if (c.spiking) CHECK(sum(r.z).item() == 0);
          return r.trace;
        },
        {x, w, b, v0, i0}));
  }
}

TEST_CASE("conv_neuron_sequence equals conv2d + current_scan in values and gradients") {
  for (const char* model : {"lif", "li"}) {
    CAPTURE(model);
    CurrentScanConfig c = config(model);
    Rng rng(24);
    const int64_t T = 5, B = 2;
    Tensor x = test::param({T, B, 2, 6, 5}, rng, 0.0f, 3.0f), w = test::param({3, 2, 3, 3}, rng);
    Tensor b = test::param({3}, rng, 0.0f, 1.0f);
    Conv2dOptions opt{2, 1};  // output 3 x 3
    Tensor v0 = test::param({B, 3, 3, 3}, rng, -0.3f, 0.8f), i0 = test::param({B, 3, 3, 3}, rng);
    Case k{{x, w, b, v0, i0}, [=](bool fused) {
             if (fused) return conv_neuron_sequence(x, w, b, {v0, i0}, c, opt, true, {0.0, 4});
             Tensor cur = conv2d(reshape(x, {T * B, 2, 6, 5}), w, b, opt);
             return current_scan(reshape(cur, {T, B, 3, 3, 3}), v0, i0, c, true);
           }};
    check_equal(k, c);
  }
}

TEST_CASE("conv_neuron_sequence of spikes (the spike path) equals conv2d + current_scan") {
  CurrentScanConfig c = config("lif");
  Rng rng(25);
  const int64_t T = 6, B = 3;
  for (Conv2dOptions opt : {Conv2dOptions{1, 1}, Conv2dOptions{2, 0}}) {
    CAPTURE(opt.stride);
    Tensor u = Tensor::rand({T, B, 4, 7, 9}, rng), x = Tensor::zeros(u.shape());
    for (int64_t e = 0; e < x.numel(); ++e) x.data()[e] = u.data()[e] < 0.12f ? 1.0f : 0.0f;
    x.requires_grad_();
    Tensor w = test::param({17, 4, 3, 3}, rng, 0.0f, 1.5f), b = test::param({17}, rng, 0.0f, 1.0f);
    const int64_t oh = (7 + 2 * opt.padding - 3) / opt.stride + 1,
                  ow = (9 + 2 * opt.padding - 3) / opt.stride + 1;
    Tensor v0 = test::param({B, 17, oh, ow}, rng, -0.3f, 0.8f),
           i0 = test::param({B, 17, oh, ow}, rng);
    Case k{{x, w, b, v0, i0}, [=](bool fused) {
             if (fused) return conv_neuron_sequence(x, w, b, {v0, i0}, c, opt, true, {0.0, 4});
             Tensor cur = conv2d(reshape(x, {T * B, 4, 7, 9}), w, b, opt);
             return current_scan(reshape(cur, {T, B, 17, oh, ow}), v0, i0, c, true);
           }};
    check_equal(k, c);
  }
}

TEST_CASE("memory_stats counts live tensor storage and the cache reuses large buffers") {
  set_memory_cache_limit(int64_t(1) << 30);
  MemoryStats before = memory_stats();
  reset_peak_memory();
  {
    Tensor a = Tensor::zeros({1000, 100});
    Tensor b = Tensor::zeros({10});
    CHECK(memory_stats().current_bytes - before.current_bytes == 4 * (100000 + 10));
  }
  MemoryStats after = memory_stats();
  CHECK(after.current_bytes == before.current_bytes);
  CHECK(after.peak_bytes - before.current_bytes == 4 * (100000 + 10));
  CHECK(after.cached_bytes >= 400000);
  Tensor c = Tensor::uninitialized({100000});  // the same size again: from the cache
  CHECK(memory_stats().cache_hits == after.cache_hits + 1);
  set_memory_cache_limit(0);
  CHECK(memory_stats().cached_bytes == 0);
  set_memory_cache_limit(kAutomaticCacheLimit);
}

#if !defined(__EMSCRIPTEN__)  // the page's memory is smaller than the tensor
TEST_CASE("the storage cache keeps a step's buffers when they add up to more than 1 GiB") {
  // Untouched pages cost no memory: the 1.25 GiB here are address space only.
  set_memory_cache_limit(kAutomaticCacheLimit);
  release_cached_memory();
  const int64_t n = (int64_t(5) << 30) / 16;  // 1.25 GiB of floats
  { Tensor a = Tensor::uninitialized({n}); }
  CHECK(memory_cache_limit() >= 4 * n);  // the most live storage so far
  CHECK(memory_stats().cached_bytes >= 4 * n);
  const int64_t hits = memory_stats().cache_hits;
  { Tensor b = Tensor::uninitialized({n}); }  // the next step's: the same pages
  CHECK(memory_stats().cache_hits == hits + 1);
  set_memory_cache_limit(int64_t(1) << 30);  // a fixed limit stays fixed
  CHECK(memory_stats().cached_bytes == 0);
  { Tensor c = Tensor::uninitialized({n}); }
  CHECK(memory_stats().cached_bytes == 0);
  set_memory_cache_limit(kAutomaticCacheLimit);
  release_cached_memory();
}
#endif

TEST_CASE("linear_neuron_sequence on the encoder's spikes reads their index, not their values") {
  Rng rng(12);
  const Tensor z = constant_current_lif_encode(Tensor::rand({4, 300}, rng, 0, 2), 12);
  REQUIRE(z.values_deferred());
  Tensor w = Tensor::rand({7, 300}, rng, -1, 1).requires_grad_(true);
  LIFParameters p;
  const CurrentScanConfig c = lif_scan_config(p, false, true);
  Tensor out = linear_neuron_sequence(z, w, Tensor(), lif_initial_state({4, 7}, p), c).v;
  sum(out * out).backward();
  CHECK(z.values_deferred());
  CHECK(w.grad().defined());
}
