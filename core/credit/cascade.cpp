#include "core/credit/cascade.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/credit/kernels.hpp"

namespace soma::credit {

TraceCascade::TraceCascade(int m, double delay, int64_t channels, int64_t norm_window)
    : m_(m), channels_(channels) {
  if (channels < 1 || norm_window < 1)
    throw std::invalid_argument("TraceCascade: channels and norm_window must be >= 1");
  std::vector<double> raw = trace_kernel_raw(m, delay, norm_window);  // validates m, delay
  double sum = 0;
  for (double v : raw) sum += v;
  scale_ = 1 / sum;
  const int n = m + 1;
  if (m == 0) {
    decay_ = std::exp(-1 / delay);
  } else {
    const double a = m / (delay - 0.5);
    phi_.assign(size_t(n * n), 0.0);
    gamma_.resize(size_t(n));
    for (int i = 0; i < n; ++i) {
      double c = std::exp(-a);  // e^-a a^k / k! for k = i - j
      for (int k = 0; k <= i; ++k) {
        phi_[size_t(i * n + (i - k))] = c;
        c *= a / (k + 1);
      }
      gamma_[size_t(i)] = gamma_p(i + 1, a);
    }
  }
  reset();
}

void TraceCascade::reset() {
  state_.assign(size_t((m_ + 1) * channels_), 0.0);
  next_ = state_;
  out_.assign(size_t(channels_), 0.0);
}

const std::vector<double>& TraceCascade::step(const std::vector<double>& u) {
  if (int64_t(u.size()) != channels_)
    throw std::invalid_argument("TraceCascade::step: expected " + std::to_string(channels_) +
                                " inputs, got " + std::to_string(u.size()));
  if (m_ == 0) {
    for (int64_t c = 0; c < channels_; ++c) {
      state_[size_t(c)] = decay_ * state_[size_t(c)] + u[size_t(c)];
      out_[size_t(c)] = scale_ * state_[size_t(c)];
    }
    return out_;
  }
  const int n = m_ + 1;
  for (int64_t c = 0; c < channels_; ++c)  // sampled before this bin's input arrives
    out_[size_t(c)] = scale_ * state_[size_t(m_ * channels_ + c)];
  for (int i = 0; i < n; ++i)
    for (int64_t c = 0; c < channels_; ++c) {
      double v = gamma_[size_t(i)] * u[size_t(c)];
      for (int j = 0; j <= i; ++j) v += phi_[size_t(i * n + j)] * state_[size_t(j * channels_ + c)];
      next_[size_t(i * channels_ + c)] = v;
    }
  state_.swap(next_);
  return out_;
}

}  // namespace soma::credit
