#include "core/nn/init.hpp"

#include <cmath>
#include <stdexcept>

#include "core/random/rng.hpp"

namespace soma::nn::init {

namespace {

// In double so that torch's a = sqrt(5) lands on 1 / sqrt(fan_in) to the last bit of a float.
double kaiming_std(const Tensor& t, float a, FanMode mode, Nonlinearity nl) {
  auto [fan_in, fan_out] = calculate_fans(t.shape());
  int64_t fan = mode == FanMode::fan_in ? fan_in : fan_out;
  if (fan == 0) throw std::invalid_argument("kaiming init: zero fan for " + to_string(t.shape()));
  double gain = nl == Nonlinearity::leaky_relu ? std::sqrt(2.0 / (1.0 + double(a) * a))
                                               : double(calculate_gain(nl, a));
  return gain / std::sqrt(double(fan));
}

}  // namespace

float calculate_gain(Nonlinearity nl, float param) {
  switch (nl) {
    case Nonlinearity::linear:
    case Nonlinearity::sigmoid:
      return 1.0f;
    case Nonlinearity::tanh:
      return 5.0f / 3.0f;
    case Nonlinearity::relu:
      return std::sqrt(2.0f);
    case Nonlinearity::leaky_relu:
      return std::sqrt(2.0f / (1.0f + param * param));
  }
  return 1.0f;
}

std::pair<int64_t, int64_t> calculate_fans(const Shape& shape) {
  if (shape.size() < 2)
    throw std::invalid_argument("calculate_fans: needs at least 2 dims, got " + to_string(shape));
  int64_t receptive = 1;
  for (size_t d = 2; d < shape.size(); ++d) receptive *= shape[d];
  return {shape[1] * receptive, shape[0] * receptive};
}

Tensor uniform_(Tensor t, float lo, float hi, Rng& rng) {
  for (auto& x : t.array()) x = rng.uniform(lo, hi);
  return t;
}

Tensor normal_(Tensor t, float mean, float stddev, Rng& rng) {
  for (auto& x : t.array()) x = rng.normal(mean, stddev);
  return t;
}

Tensor constant_(Tensor t, float value) {
  t.fill_(value);
  return t;
}

Tensor zeros_(Tensor t) {
  return constant_(t, 0.0f);
}

Tensor ones_(Tensor t) {
  return constant_(t, 1.0f);
}

Tensor kaiming_uniform_(Tensor t, Rng& rng, float a, FanMode mode, Nonlinearity nl) {
  float bound = float(std::sqrt(3.0) * kaiming_std(t, a, mode, nl));
  return uniform_(t, -bound, bound, rng);
}

Tensor kaiming_normal_(Tensor t, Rng& rng, float a, FanMode mode, Nonlinearity nl) {
  float stddev = float(kaiming_std(t, a, mode, nl));
  return normal_(t, 0.0f, stddev, rng);
}

}  // namespace soma::nn::init
