#include "tasks/dsqn/conversion.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace soma::dsqn {

std::vector<std::vector<double>> ann_forward(const sim::DenseNet& ann,
                                             const std::vector<double>& x) {
  std::vector<std::vector<double>> out;
  const std::vector<double>* in = &x;
  for (size_t l = 0; l < ann.size(); ++l) {
    const sim::DenseLayer& d = ann[l];
    std::vector<double> y(size_t(d.out));
    for (int64_t j = 0; j < d.out; ++j) {
      double a = d.bias_of(j);
      for (int64_t i = 0; i < d.in; ++i) a += (*in)[size_t(i)] * d.weight(i, j);
      y[size_t(j)] = l + 1 < ann.size() ? std::max(a, 0.0) : a;
    }
    out.push_back(std::move(y));
    in = &out.back();
  }
  return out;
}

ConversionResult robust_normalise(const sim::DenseNet& ann, const std::vector<double>& states,
                                  double p) {
  if (ann.empty()) throw std::invalid_argument("conversion: empty network");
  if (!(p > 0 && p <= 1)) throw std::invalid_argument("conversion: percentile must be in (0, 1]");
  const int64_t n_in = ann.front().in;
  if (states.empty() || states.size() % size_t(n_in) != 0)
    throw std::invalid_argument("conversion: states must be N x " + std::to_string(n_in));
  const size_t N = states.size() / size_t(n_in);
  std::vector<std::vector<double>> peaks(ann.size(), std::vector<double>(N));
  for (size_t s = 0; s < N; ++s) {
    std::vector<double> x(states.begin() + long(s * size_t(n_in)),
                          states.begin() + long((s + 1) * size_t(n_in)));
    auto acts = ann_forward(ann, x);
    for (size_t l = 0; l < ann.size(); ++l)
      peaks[l][s] = *std::max_element(acts[l].begin(), acts[l].end());
  }
  ConversionResult r{ann, {}};
  double prev = 1;
  for (size_t l = 0; l < ann.size(); ++l) {
    std::sort(peaks[l].begin(), peaks[l].end());
    double lambda = peaks[l][size_t(p * double(N - 1))];
    for (double w : ann[l].w) lambda = std::max(lambda, w);
    for (double b : ann[l].bias) lambda = std::max(lambda, b);
    for (double& w : r.net[l].w) w *= prev / lambda;
    for (double& b : r.net[l].bias) b /= lambda;
    r.lambda.push_back(lambda);
    prev = lambda;
  }
  return r;
}

}  // namespace soma::dsqn
