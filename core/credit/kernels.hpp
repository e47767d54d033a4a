#pragma once
// Temporal kernels of (cascading) eligibility traces, after "Learning From the Past with
// Cascading Eligibility Traces" (Ralambomihanta, Anokhin, Pogodin et al., ICLR 2026).
//
// A CET of order n chains n identical leaky stages, dh1/dt = -a h1 + u, dhk/dt = -a hk + h(k-1);
// the last stage's impulse response is the gamma kernel g(tau) = a^n tau^(n-1) e^(-a tau)/(n-1)!,
// peaked at tau = (n-1)/a. With m = n - 1 (the reference's `ssm_degree`):
//   m = 0 (ET):  h[t] = exp(-t / T)                        t = 0, 1, ...  (peak at lag 0)
//   m >= 1:      a = m / (T - 0.5),  h[t] = P(m+1, a t) - P(m+1, a max(0, t-1))
// P is the regularised lower incomplete gamma function, so h[t] is the gamma density integrated
// over the bin [t-1, t] (zero-order hold; h[0] = 0) and its largest bin is exactly lag T.
// Kernels are L1-normalised over a window of `norm_window` lags (the episode length B = 128 in
// the behavioural protocol). Values (L = 128), checked in tests/core/test_credit.cpp:
//   T = 10: h[10] = 0.0350, 0.0387, 0.0921, 0.1243 for m = 0, 1, 5, 9;
//           half-maximum spans [0,6], [3,25], [6,15], [7,14] (width ~ 1/sqrt(n)).
// The pure delay (impulse at lag T) is the credit kernel and the oracle trace.
#include <cstdint>
#include <utility>
#include <vector>

namespace soma::credit {

// P(k, x) = (1/(k-1)!) integral_0^x t^(k-1) e^-t dt for an integer shape k >= 1, x >= 0.
double gamma_p(int k, double x);

// The unnormalised kernel h[0..length) for ssm_degree m >= 0 peaked at lag `delay` (> 0.5 when
// m >= 1, > 0 for m = 0). Throws std::invalid_argument otherwise (the reference yields NaN).
std::vector<double> trace_kernel_raw(int m, double delay, int64_t length);
// The same, divided by its sum over lags 0..norm_window-1 (norm_window >= length; 0: length).
std::vector<double> trace_kernel(int m, double delay, int64_t length, int64_t norm_window = 0);
// 1 at lag `delay`, 0 elsewhere (the reference's |t - T| <= 0.1 test on integer lags).
std::vector<double> impulse_kernel(int64_t delay, int64_t length);

// Lags [first, last] where h >= max(h) / 2 (the kernel is unimodal).
std::pair<int64_t, int64_t> half_max_span(const std::vector<double>& h);
int64_t peak_lag(const std::vector<double>& h);

// The causal Toeplitz matrix M[t_out][t_in] = h[t_out - t_in] (0 above the diagonal), (L x L)
// row-major, L = h.size().
std::vector<double> causal_toeplitz(const std::vector<double>& h);
// y[t][c] = sum_{s <= t} h[t - s] x[s][c] for a (steps x channels) row-major signal.
std::vector<double> causal_filter(const std::vector<double>& h, const std::vector<double>& x,
                                  int64_t steps, int64_t channels);

}  // namespace soma::credit
