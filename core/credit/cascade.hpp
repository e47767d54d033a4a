#pragma once
// The online form of a (cascading) eligibility trace: n = m + 1 leaky stages per channel (one
// channel per synapse), stepped once per time bin. Its output equals the causal convolution with
// trace_kernel(m, delay, ., norm_window) exactly (tests/core/test_credit.cpp), so a synapse
// needs n numbers of memory instead of a window of past inputs.
//
// m = 0 (ET): e_t = exp(-1/T) e_(t-1) + u_t, output e_t / Z.
// m >= 1: the chain dx1/dt = -a x1 + u, dxk/dt = -a xk + x(k-1) with u held over each bin
// (zero-order hold), sampled at bin ends; the input of bin t reaches the output from t+1 on,
// which is why h[0] = 0. With states scaled as y_k = a^k x_k the exact one-bin step is
//   y_i <- e^-a sum_{j <= i} a^(i-j)/(i-j)! y_j + P(i+1, a) u      (i, j = 0..m)
// and the output is y_m / Z, Z the kernel's sum over the normalisation window.
#include <cstdint>
#include <vector>

namespace soma::credit {

class TraceCascade {
 public:
  // channels: how many independent traces (synapses) advance together.
  TraceCascade(int m, double delay, int64_t channels, int64_t norm_window);
  // Feeds u_t (channels values) and returns the trace sum_{s <= t} h[t - s] u_s.
  const std::vector<double>& step(const std::vector<double>& u);
  void reset();
  int stages() const { return m_ + 1; }
  int64_t channels() const { return channels_; }

 private:
  int m_;
  int64_t channels_;
  double decay_ = 0, scale_ = 1;      // ET: the per-bin decay; 1/Z
  std::vector<double> phi_, gamma_;   // m >= 1: (n x n) lower-triangular transition, input gains
  std::vector<double> state_, next_;  // n x channels
  std::vector<double> out_;
};

}  // namespace soma::credit
