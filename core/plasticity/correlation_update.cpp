#include "core/plasticity/correlation_update.hpp"

#include <stdexcept>
#include <string>

#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

namespace {

// [mean_b c ; mean_b ac] as one (1, 2 out in) row of data.
Tensor trace_features(const CorrelationSensorState& s) {
  int64_t batch = s.correlation.size(0), k = s.correlation.numel() / batch;
  Tensor f = Tensor::zeros({1, 2 * k});
  f.matrix(2, k).row(0) = s.correlation.matrix(batch, k).colwise().mean();
  f.matrix(2, k).row(1) = s.anti_correlation.matrix(batch, k).colwise().mean();
  return f;
}

}  // namespace

Tensor correlation_based_update(int64_t step, const Tensor& w, CorrelationSensorState& s,
                                const Tensor& map_w, const Tensor& map_b, float lr, int every) {
  if (every < 1 || step % every != 0) return w;
  const Shape& shape = s.correlation.shape();
  int64_t k = w.numel();
  if (w.dim() != 2 || shape.size() != 3 || shape[1] != w.size(0) || shape[2] != w.size(1) ||
      map_w.shape() != Shape{k, 2 * k} || (map_b.defined() && map_b.shape() != Shape{k}))
    throw std::invalid_argument("correlation_based_update: w " + to_string(w.shape()) +
                                ", traces " + to_string(shape) + ", map_w " +
                                to_string(map_w.shape()) + " (want (out in, 2 out in))");
  Tensor dw = reshape(linear(trace_features(s), map_w, map_b), w.shape());
  s.correlation.fill_(0.0f);
  s.anti_correlation.fill_(0.0f);
  return w + dw * lr;
}

}  // namespace soma
