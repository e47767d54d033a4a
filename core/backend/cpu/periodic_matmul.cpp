#include "core/backend/periodic_matmul.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/parallel.hpp"

namespace soma {

namespace {

// The kernels' view of s (isa_kernels.hpp's PeriodicImages) and what it points at: where each
// image's entries start and the divisors of each t + 1.
struct Images {
  std::vector<int64_t> start, div_at{0};
  std::vector<int32_t> divisors;
  PeriodicImages view;
  int64_t count;

  Images(const PeriodicSpikes& s, int64_t in) {
    if (in <= 0 || s.width % in != 0)
      throw std::invalid_argument("periodic_matmul: " + std::to_string(s.width) +
                                  " neurons per step are not images of " + std::to_string(in));
    count = s.width / in;
    start.resize(size_t(count + 1));
    size_t a = 0;
    for (int64_t b = 0; b <= count; ++b) {
      while (a < s.neuron.size() && s.neuron[a] < b * in) ++a;
      start[size_t(b)] = int64_t(a);
    }
    for (int64_t t = 0; t < s.steps; ++t) {  // about steps ln steps entries
      for (int64_t p = 1; p <= t + 1; ++p)
        if ((t + 1) % p == 0) divisors.push_back(int32_t(p));
      div_at.push_back(int64_t(divisors.size()));
    }
    view = {s.neuron.data(), s.period.data(), start.data(), s.steps, in,
            div_at.data(),   divisors.data()};
  }
};

}  // namespace

bool periodic_matmul_available() {
  return active_kernels().periodic_forward != nullptr;
}

void periodic_matmul(const PeriodicSpikes& s, int64_t in, const float* wt, int64_t n, float beta,
                     float* out) {
  const Images im(s, in);
  const IsaKernels& k = active_kernels();
  parallel_slices(
      im.count, im.count * in * s.steps >= (int64_t(1) << 18), [&](int64_t b0, int64_t b1) {
        std::vector<float> q(size_t((s.steps + 1) * 128));  // 8 vectors of 16
        std::vector<int32_t> ints(size_t(s.steps + 2 + in));
        k.periodic_forward(im.view, b0, b1, wt, n, beta, out, im.count * n, q.data(), ints.data());
      });
}

void periodic_matmul_t(const PeriodicSpikes& s, int64_t in, const float* g, int64_t n, float* gwt,
                       int64_t ldw) {
  const Images im(s, in);
  const IsaKernels& k = active_kernels();
  std::memset(gwt, 0, size_t(in * ldw) * sizeof(float));
  // Threads own disjoint ranges of gW^T's rows (pixels) and walk every image in order, so each
  // row's sum runs in the same order for any thread count.
  parallel_slices(
      in, im.count * in * s.steps >= (int64_t(1) << 18),
      [&](int64_t k0, int64_t k1) {
        std::vector<int32_t> ints(size_t(s.steps + 2 + in));
        k.periodic_wgrad(im.view, im.count, k0, k1, g, n, gwt, ldw, ints.data());
      },
      16);
}

}  // namespace soma
