#include "core/credit/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace soma::credit {

double gamma_p(int k, double x) {
  if (k < 1 || x < 0) throw std::invalid_argument("gamma_p: needs k >= 1 and x >= 0");
  if (x == 0) return 0;
  // P = 1 - e^-x sum_{j<k} x^j/j! for x past the mode; below it the complementary sum
  // e^-x sum_{j>=k} x^j/j! avoids cancelling 1 - (1 - small).
  double term = std::exp(-x), sum = 0;
  if (x > k) {
    for (int j = 0; j < k; ++j) {
      sum += term;
      term *= x / (j + 1);
    }
    return std::max(0.0, 1.0 - sum);
  }
  for (int j = 1; j <= k; ++j) term *= x / j;  // e^-x x^k / k!
  for (int j = k + 1; term > 1e-300 && (term > sum * 1e-17 || j < k + 3); ++j) {
    sum += term;
    term *= x / j;
  }
  return std::min(1.0, sum);
}

std::vector<double> trace_kernel_raw(int m, double delay, int64_t length) {
  if (m < 0) throw std::invalid_argument("trace kernel: ssm_degree must be >= 0");
  if ((m == 0 && !(delay > 0)) || (m >= 1 && !(delay > 0.5)))
    throw std::invalid_argument("trace kernel: the peak lag (delay) must be > " +
                                std::string(m == 0 ? "0" : "0.5") + " for ssm_degree " +
                                std::to_string(m) + ", got " + std::to_string(delay) +
                                " (use the impulse trace for delay 0)");
  std::vector<double> h(size_t(std::max<int64_t>(length, 0)));
  if (m == 0) {
    for (size_t t = 0; t < h.size(); ++t) h[t] = std::exp(-double(t) / delay);
    return h;
  }
  const double a = m / (delay - 0.5);
  double prev = 0;
  for (size_t t = 0; t < h.size(); ++t) {
    double p = gamma_p(m + 1, a * double(t));
    h[t] = t == 0 ? 0.0 : p - prev;
    prev = p;
  }
  return h;
}

std::vector<double> trace_kernel(int m, double delay, int64_t length, int64_t norm_window) {
  if (norm_window <= 0) norm_window = length;
  if (norm_window < length)
    throw std::invalid_argument("trace kernel: norm_window shorter than the kernel");
  std::vector<double> full = trace_kernel_raw(m, delay, norm_window);
  double sum = 0;
  for (double v : full) sum += v;
  full.resize(size_t(length));
  for (double& v : full) v /= sum;
  return full;
}

std::vector<double> impulse_kernel(int64_t delay, int64_t length) {
  std::vector<double> h(size_t(std::max<int64_t>(length, 0)), 0.0);
  if (delay >= 0 && delay < length) h[size_t(delay)] = 1;
  return h;
}

int64_t peak_lag(const std::vector<double>& h) {
  return int64_t(std::max_element(h.begin(), h.end()) - h.begin());
}

std::pair<int64_t, int64_t> half_max_span(const std::vector<double>& h) {
  const double half = h[size_t(peak_lag(h))] / 2;
  int64_t first = -1, last = -1;
  for (size_t t = 0; t < h.size(); ++t)
    if (h[t] >= half) {
      if (first < 0) first = int64_t(t);
      last = int64_t(t);
    }
  return {first, last};
}

std::vector<double> causal_toeplitz(const std::vector<double>& h) {
  const size_t L = h.size();
  std::vector<double> m(L * L, 0.0);
  for (size_t t = 0; t < L; ++t)
    for (size_t s = 0; s <= t; ++s) m[t * L + s] = h[t - s];
  return m;
}

std::vector<double> causal_filter(const std::vector<double>& h, const std::vector<double>& x,
                                  int64_t steps, int64_t channels) {
  std::vector<double> y(size_t(steps * channels), 0.0);
  for (int64_t t = 0; t < steps; ++t)
    for (int64_t s = std::max<int64_t>(0, t - int64_t(h.size()) + 1); s <= t; ++s)
      for (int64_t c = 0; c < channels; ++c)
        y[size_t(t * channels + c)] += h[size_t(t - s)] * x[size_t(s * channels + c)];
  return y;
}

}  // namespace soma::credit
