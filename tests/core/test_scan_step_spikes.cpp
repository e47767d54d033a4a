// scan_step_spikes (isa_kernels.hpp) at every level this CPU runs: the same bits as one step of
// scan_forward_range, and the spike lists are exactly z's ones, row by row.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/neuron/current_scan.hpp"
#include "core/neuron/lif.hpp"
#include "core/random/rng.hpp"

using namespace soma;

namespace {

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("scan_step_spikes: one step of the forward scan that lists its spikes, every level") {
  Rng rng(5);
  for (Isa isa : available_isas()) {
    const IsaKernels& k = isa_kernels(isa);
    for (int64_t cols : {1, 7, 16, 33, 100}) {
      for (Reset reset : {Reset::value, Reset::subtract}) {
        CAPTURE(isa_name(isa));
        CAPTURE(cols);
        const int64_t rows = 5, n = rows * cols;
        LIFParameters p;
        p.reset = reset;
        const CurrentScanConfig c = lif_scan_config(p, false, true);
        std::vector<float> x(static_cast<size_t>(n)), v(x), i(x);
        for (int64_t a = 0; a < n; ++a)
          x[a] = rng.uniform(0, 0.5f), v[a] = rng.uniform(0.6f, 1.2f), i[a] = rng.uniform(0, 1);
        std::vector<float> v2 = v, i2 = i, z(x), z2(x), vd(x), vd2(x);
        k.scan_forward_range(c, {1, n}, 0, n, x.data(), v.data(), i.data(), z.data(), vd.data(),
                             nullptr);
        std::vector<int64_t> row_end(static_cast<size_t>(rows));
        std::vector<int32_t> out(static_cast<size_t>(n + 16));
        const int64_t count = k.scan_step_spikes(c, rows, cols, x.data(), v2.data(), i2.data(),
                                                 z2.data(), vd2.data(), row_end.data(), out.data());
        CHECK(same_bits(v, v2));
        CHECK(same_bits(i, i2));
        CHECK(same_bits(z, z2));
        CHECK(same_bits(vd, vd2));
        std::vector<int32_t> want;
        std::vector<int64_t> want_end;
        for (int64_t r = 0; r < rows; ++r) {
          for (int64_t a = 0; a < cols; ++a)
            if (z[size_t(r * cols + a)] != 0) want.push_back(int32_t(a));
          want_end.push_back(int64_t(want.size()));
        }
        CHECK(count == int64_t(want.size()));
        CHECK(row_end == want_end);
        out.resize(size_t(count));
        CHECK(out == want);
        if (cols >= 16) CHECK(count > 0);
      }
    }
  }
}
