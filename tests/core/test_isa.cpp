// The run-time choice of the CPU kernel level (core/backend/isa.hpp) and the kernels at every
// level this CPU runs. No timing: the benchmark is replaced by a stand-in that counts its calls.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/spike_matmul.hpp"
#include "core/random/rng.hpp"
#include "temp_dir.hpp"

using namespace soma;

namespace {

using test::TempDir;

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Inputs for a machine running v3 and v4, with a stand-in benchmark that finds v4 faster.
IsaChoiceInputs both_levels(const std::string& cache, int& measured) {
  IsaChoiceInputs in;
  in.available = {Isa::generic, Isa::v3, Isa::v4};
  in.cache_path = cache;
  in.cache_key = "Test CPU 9000\t3ff";
  in.measure = [&measured](Isa isa) {
    ++measured;
    return isa == Isa::v4 ? 1.0 : 2.0;
  };
  return in;
}

}  // namespace

TEST_CASE("isa: level names round-trip; unknown names are rejected") {
  for (Isa isa : {Isa::generic, Isa::v3, Isa::v4}) CHECK(parse_isa(isa_name(isa)) == isa);
  CHECK_FALSE(parse_isa("avx2").has_value());
  CHECK_FALSE(parse_isa("").has_value());
  CHECK(available_isas().front() == Isa::generic);
}

TEST_CASE("isa: SOMA_ISA forces a level, and a level the CPU lacks is a clear error") {
  int measured = 0;
  TempDir dir;
  IsaChoiceInputs in = both_levels(dir / "isa", measured);
  in.forced = "v3";
  CHECK(choose_isa(in).isa == Isa::v3);
  in.forced = "generic";
  CHECK(choose_isa(in).isa == Isa::generic);
  in.available = {Isa::generic, Isa::v3};
  in.forced = "v4";
  CHECK_THROWS_WITH_AS(
      choose_isa(in), "SOMA_ISA=v4: this CPU (or build) cannot run that level; it runs generic, v3",
      std::invalid_argument);
  in.forced = "avx512";
  CHECK_THROWS_WITH_AS(choose_isa(in), doctest::Contains("SOMA_ISA=avx512: not a level"),
                       std::invalid_argument);
  CHECK(measured == 0);
  CHECK_FALSE(std::filesystem::exists(dir / "isa"));
}

TEST_CASE("isa: one runnable level is taken without measuring") {
  int measured = 0;
  TempDir dir;
  IsaChoiceInputs in = both_levels(dir / "isa", measured);
  in.available = {Isa::generic, Isa::v3};
  CHECK(choose_isa(in).isa == Isa::v3);
  in.available = {Isa::generic};
  CHECK(choose_isa(in).isa == Isa::generic);
  CHECK(measured == 0);
}

TEST_CASE("isa: the measured choice is cached per machine and read back") {
  int measured = 0;
  TempDir dir;
  const std::string path = (dir.path / "soma" / "isa").string();  // no folder yet
  IsaChoiceInputs in = both_levels(path, measured);
  IsaChoice c = choose_isa(in);
  CHECK(c.isa == Isa::v4);
  CHECK(std::string(c.how) == "measured");
  CHECK(measured > 0);
  const int first = measured;
  c = choose_isa(in);
  CHECK(c.isa == Isa::v4);
  CHECK(std::string(c.how) == "cached");
  CHECK(measured == first);
  // Another machine sharing the home folder adds its line and keeps ours.
  in.cache_key = "Other CPU\t01f";
  in.measure = [&measured](Isa isa) { return ++measured, isa == Isa::v3 ? 1.0 : 2.0; };
  CHECK(choose_isa(in).isa == Isa::v3);
  const auto lines = parse_isa_cache(read_text(path));
  REQUIRE(lines.has_value());
  REQUIRE(lines->size() == 2);
  CHECK((*lines)[0] == std::make_pair(std::string("Test CPU 9000\t3ff"), Isa::v4));
  CHECK((*lines)[1] == std::make_pair(std::string("Other CPU\t01f"), Isa::v3));
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_CASE("isa: a corrupt cache is ignored and rewritten") {
  for (const char* bad : {"Test CPU 9000\t3ff\tv9\n", "no tab here\n", "\tv3\n",
                          "Test CPU 9000\t3ff\tv4\ngarbage\n", "\x01\x02\x03"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_isa_cache(bad).has_value());
    int measured = 0;
    TempDir dir;
    const std::string path = dir.file("isa", bad);
    IsaChoiceInputs in = both_levels(path, measured);
    CHECK(choose_isa(in).isa == Isa::v4);
    CHECK(measured > 0);
    const auto lines = parse_isa_cache(read_text(path));
    REQUIRE(lines.has_value());
    REQUIRE(lines->size() == 1);
    CHECK((*lines)[0].second == Isa::v4);
  }
}

TEST_CASE("isa: cache text round-trips; comments and blank lines are allowed") {
  IsaCacheLines lines{{"AMD EPYC\t3ff", Isa::v3}, {"Intel Xeon\t3ff", Isa::v4}};
  const auto back = parse_isa_cache(format_isa_cache(lines));
  REQUIRE(back.has_value());
  CHECK(*back == lines);
  const auto empty = parse_isa_cache("# nothing yet\n\n");
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
}

TEST_CASE("isa: every level this CPU runs computes the same GEMM, spike products and scans") {
  Rng rng(3);
  const int64_t m = 37, n = 70, k = 45;
  std::vector<float> a(m * k), b(n * k), w(n * k), x(m * k);
  for (auto& v : a) v = rng.uniform(-1, 1);
  for (auto& v : b) v = rng.uniform(-1, 1);
  for (auto& v : w) v = rng.uniform(-1, 1);
  for (auto& v : x) v = rng.uniform(0, 1) < 0.1 ? 1.0f : 0.0f;
  SpikeRows s;
  REQUIRE(spike_rows(x.data(), m, k, 0.5, s));
  const std::vector<float> packed = pack_spike_weights(w.data(), n, k);
  const CsrView csr{s.row_start.data(), s.cols.data()};
  struct Out {
    std::vector<float> gemm, spike, spike_t, z, gx, gx_detached;
    std::vector<int64_t> row_end;
    std::vector<int32_t> active;
    int64_t nonzero;
  };
  auto run = [&](const IsaKernels& kern) {
    Out o{std::vector<float>(m * n, 0.5f),
          std::vector<float>(m * n, 0.5f),
          std::vector<float>(k * n, 0.5f),
          {},
          {},
          {},
          std::vector<int64_t>(m),
          std::vector<int32_t>(m * k),
          kern.count_nonzero(x.data(), m * k)};
    const int failed = 0;
    REQUIRE(kern.spike_scan_rows(x.data(), 0, m, k, m * k, &failed, o.row_end.data(),
                                 o.active.data()) == s.row_start[m]);
    kern.gemm(false, true, m, n, k, 0.5f, a.data(), b.data(), 2.0f, o.gemm.data());
    kern.spike_matmul_groups(csr, 0, m, 1, 0, k, packed.data(), n, 1.0f, o.spike.data());
    kern.spike_matmul_t(csr, 0, m, k, o.gemm.data(), n, 0.0f, o.spike_t.data());
    // The scan on (T = m, width = k) with the product as input current.
    CurrentScanConfig c{0.1f, 0.8f, 0.0f, 0.3f, 0.0f, Reset::value, Surrogate{}, true};
    std::vector<float> v(k, 0.0f), i(k, 0.0f), vd(m * k), gv(k, 0.1f), gi(k, 0.0f);
    o.z.resize(m * k), o.gx.resize(m * k);
    kern.scan_forward_range(c, {m, k}, 0, k, a.data(), v.data(), i.data(), o.z.data(), vd.data(),
                            nullptr);
    const std::vector<float> gv0 = gv, gi0 = gi;
    kern.scan_backward_range(c, {m, k}, 0, k, vd.data(),
                             {a.data(), nullptr, o.gx.data(), gv.data(), gi.data()}, false);
    o.gx_detached.resize(m * k);
    gv = gv0, gi = gi0;
    kern.scan_backward_range(c, {m, k}, 0, k, vd.data(),
                             {a.data(), nullptr, o.gx_detached.data(), gv.data(), gi.data()}, true);
    return o;
  };
  const Out ref = run(isa_kernels(Isa::generic));
  // The spike product against its definition: 0.5 + the sum of W's rows picked by x.
  for (int64_t r = 0; r < m; ++r)
    for (int64_t j = 0; j < n; ++j) {
      float want = 0.5f;
      for (int64_t q = 0; q < k; ++q) want += x[r * k + q] * w[j * k + q];
      REQUIRE(ref.spike[r * n + j] == doctest::Approx(want).epsilon(1e-5));
    }
  for (Isa isa : available_isas()) {
    CAPTURE(isa_name(isa));
    const Out o = run(isa_kernels(isa));
    auto close = [](const std::vector<float>& p, const std::vector<float>& q) {
      for (size_t j = 0; j < p.size(); ++j)
        if (std::fabs(p[j] - q[j]) > 1e-4f * (1 + std::fabs(q[j]))) return false;
      return true;
    };
    CHECK(close(o.gemm, ref.gemm));  // FMA rounds differently: equal to a tolerance
    CHECK(close(o.spike, ref.spike));
    CHECK(close(o.spike_t, ref.spike_t));
    CHECK(o.z == ref.z);
    CHECK(close(o.gx, ref.gx));
    CHECK(close(o.gx_detached, ref.gx_detached));
    CHECK(o.gx_detached != o.gx);  // the reset term carries gradient only when not detached
    CHECK(o.nonzero == s.row_start[m]);
    CHECK(o.row_end == std::vector<int64_t>(s.row_start.begin() + 1, s.row_start.end()));
    CHECK(std::equal(s.cols.begin(), s.cols.end(), o.active.begin()));
  }
}

// Output widths around the product's passes (128 columns at AVX-512, 64 below; one pass writes
// rows straight to C, wider ones through a buffer), whole and partial vectors, beta 0 and not.
TEST_CASE("isa: every level's spike product equals its definition at every output width") {
  Rng rng(5);
  const int64_t m = 23, k = 45;
  std::vector<float> x(m * k);
  for (auto& v : x) v = rng.uniform(0, 1) < 0.2 ? 1.0f : 0.0f;
  SpikeRows s;
  REQUIRE(spike_rows(x.data(), m, k, 1.0, s));
  const CsrView csr{s.row_start.data(), s.cols.data()};
  for (int64_t n : {1, 16, 64, 70, 100, 128, 129, 200, 300})
    for (float beta : {0.0f, 1.5f}) {
      CAPTURE(n);
      CAPTURE(beta);
      std::vector<float> w(n * k), c0(m * n);
      for (auto& v : w) v = rng.uniform(-1, 1);
      for (auto& v : c0) v = rng.uniform(-1, 1);
      const std::vector<float> packed = pack_spike_weights(w.data(), n, k);
      for (Isa isa : available_isas()) {
        CAPTURE(isa_name(isa));
        std::vector<float> c = c0;
        isa_kernels(isa).spike_matmul_groups(csr, 0, m, 1, 0, k, packed.data(), n, beta, c.data());
        bool same = true;
        for (int64_t r = 0; r < m; ++r)
          for (int64_t j = 0; j < n; ++j) {
            float want = beta * c0[r * n + j];
            for (int64_t q = 0; q < k; ++q) want += x[r * k + q] * w[j * k + q];
            same = same && std::fabs(c[r * n + j] - want) <= 1e-5f * (1 + std::fabs(want));
          }
        CHECK(same);
      }
    }
}

// The scatter of a gradient row into the spiking columns' rows of a padded S^T G.
TEST_CASE("isa: every level's spike-row scatter equals its definition at every width") {
  Rng rng(6);
  const std::vector<int32_t> cols = {0, 3, 3, 7, 12};  // a repeat adds twice
  for (int64_t n : {1, 16, 70, 100, 128, 129, 200}) {
    CAPTURE(n);
    const int64_t ld = (n + 15) / 16 * 16, rows = 13;
    std::vector<float> g(n), d0(rows * ld);
    for (auto& v : g) v = rng.uniform(-1, 1);
    for (auto& v : d0) v = rng.uniform(-1, 1);
    for (Isa isa : available_isas()) {
      CAPTURE(isa_name(isa));
      std::vector<float> d = d0;
      isa_kernels(isa).scatter_spike_row(d.data(), ld, g.data(), n, cols.data(),
                                         int64_t(cols.size()));
      std::vector<float> want = d0;
      for (int32_t c : cols)
        for (int64_t j = 0; j < n; ++j) want[c * ld + j] += g[j];
      bool same = true;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < n; ++j) same = same && d[r * ld + j] == want[r * ld + j];
      CHECK(same);
    }
  }
}

TEST_CASE("isa: every level's spike scan refuses values other than 0 and 1; -0 is a zero") {
  // 45 columns: two full blocks of 16 lanes and a partial one of 13, each lane position tried.
  const int64_t cols = 45;
  for (Isa isa : available_isas()) {
    CAPTURE(isa_name(isa));
    const IsaKernels& kern = isa_kernels(isa);
    for (float odd : {0.5f, 2.0f, -1.0f, std::nanf("")}) {
      for (int64_t at : {0, 7, 15, 16, 31, 32, 40, 44}) {
        CAPTURE(odd);
        CAPTURE(at);
        std::vector<float> x(cols, 0.0f);
        x[3] = 1.0f, x[at] = odd;
        std::vector<int64_t> row_end(1);
        std::vector<int32_t> active(cols);
        const int failed = 0;
        CHECK(kern.spike_scan_rows(x.data(), 0, 1, cols, cols, &failed, row_end.data(),
                                   active.data()) == -1);
      }
    }
    std::vector<float> x(cols, -0.0f);
    x[44] = 1.0f;
    std::vector<int64_t> row_end(1);
    std::vector<int32_t> active(cols);
    const int failed = 0;
    REQUIRE(kern.spike_scan_rows(x.data(), 0, 1, cols, cols, &failed, row_end.data(),
                                 active.data()) == 1);
    CHECK(active[0] == 44);
  }
}

TEST_CASE("isa: every level's GEMM with a thin left operand (k <= 16, its own kernel) is A B") {
  // Widths around the vector sizes and past the 8-vector kernel (Eigen's path again), k on both
  // sides of 16, the three kinds of beta, C small and large; against a double-precision
  // product.
  Rng rng(7);
  for (int64_t k : {1, 3, 10, 16, 17}) {
    for (int64_t n : {1, 7, 16, 100, 128, 129}) {
      for (float beta : {0.0f, 1.0f, -0.5f}) {
        CAPTURE(k);
        CAPTURE(n);
        CAPTURE(beta);
        // 1100 rows: C past 2^16 floats for n >= 60, rows split among the threads.
        const int64_t m = n >= 100 && beta != 0.0f ? 1100 : 37;
        std::vector<float> a(m * k), b(k * n), c0(m * n);
        for (auto* v : {&a, &b, &c0})
          for (float& x : *v) x = rng.uniform(-1, 1);
        for (Isa isa : available_isas()) {
          CAPTURE(isa_name(isa));
          std::vector<float> c = c0;
          isa_kernels(isa).gemm(false, false, m, n, k, 0.75f, a.data(), b.data(), beta, c.data());
          double err = 0;
          for (int64_t r = 0; r < m; ++r)
            for (int64_t j = 0; j < n; ++j) {
              double want = double(beta) * c0[r * n + j];
              for (int64_t q = 0; q < k; ++q) want += 0.75 * double(a[r * k + q]) * b[q * n + j];
              err = std::max(err, std::abs(want - double(c[r * n + j])));
            }
          CHECK(err < 1e-5);
        }
      }
    }
  }
}

// The learnable recurrent LIF's row kernels (learnable_isa.inl): each level vectorises the same
// step at its own width; a row of 37 neurons leaves a ragged tail at every width.
TEST_CASE("isa: every level's learnable LIF rows equal the generic level's, both ways") {
  const int64_t H = 37, n = 5 * H;
  Rng rng(4);
  auto uniform = [&](int64_t count, float lo, float hi) {
    std::vector<float> out(static_cast<size_t>(count));
    for (float& e : out) e = rng.uniform(lo, hi);
    return out;
  };
  const std::vector<float> a = uniform(H, 0.05f, 0.5f), k = uniform(H, 0.5f, 0.95f),
                           th = uniform(H, 0.3f, 1.2f), x = uniform(n, 0.0f, 1.5f),
                           v0 = uniform(n, 0.0f, 0.5f), i0 = uniform(n, 0.0f, 1.0f),
                           gz = uniform(n, -1.0f, 1.0f), gv0 = uniform(n, -1.0f, 1.0f);
  for (bool reset_value : {true, false})
    for (Surrogate s : {Surrogate{}, Surrogate{SurrogateMethod::triangle, 0.3f}}) {
      CAPTURE(reset_value);
      CAPTURE(int(s.method));
      const LearnableRows c{a.data(), k.data(), th.data(), H, 0.0f, 0.0f, reset_value, s};
      struct Out {
        std::vector<float> z, v, i, gx, gv, gi, gp;
      };
      auto run = [&](const IsaKernels& kern) {
        Out o{std::vector<float>(n),          v0, i0, std::vector<float>(n), gv0, gz,
              std::vector<float>(3 * H, 0.5f)};
        std::vector<float> vd(n), u(n), j(n);
        kern.learnable_forward_rows(c, n, x.data(), o.v.data(), o.i.data(), o.z.data(), vd.data(),
                                    u.data(), j.data());
        kern.learnable_backward_rows(c, n, vd.data(), u.data(), j.data(), gz.data(), o.gv.data(),
                                     o.gi.data(), o.gx.data(), o.gp.data());
        return o;
      };
      const Out ref = run(isa_kernels(Isa::generic));
      CHECK(std::count(ref.z.begin(), ref.z.end(), 1.0f) > n / 10);
      CHECK(std::count(ref.z.begin(), ref.z.end(), 0.0f) > n / 10);
      for (Isa isa : available_isas()) {
        CAPTURE(isa_name(isa));
        const Out o = run(isa_kernels(isa));
        auto close = [](const std::vector<float>& p, const std::vector<float>& q) {
          for (size_t e = 0; e < p.size(); ++e)
            if (std::fabs(p[e] - q[e]) > 1e-5f * (1 + std::fabs(q[e]))) return false;
          return true;
        };
        CHECK(o.z == ref.z);
        for (const auto& [got, want] : {std::pair{o.v, ref.v},
                                        {o.i, ref.i},
                                        {o.gx, ref.gx},
                                        {o.gv, ref.gv},
                                        {o.gi, ref.gi},
                                        {o.gp, ref.gp}})
          CHECK(close(got, want));
      }
    }
}
