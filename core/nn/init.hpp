#pragma once
// Parameter initialisers, as torch.nn.init. Each fills `t` in place (it is a handle, so a copy of
// the handle works) from the given Rng, element by element in memory order, so the same seed
// gives the same values natively and in WebAssembly. Each returns `t`.
#include <cstdint>
#include <utility>

#include "core/tensor/tensor.hpp"

namespace soma {
class Rng;
}

namespace soma::nn::init {

enum class FanMode { fan_in, fan_out };
enum class Nonlinearity { linear, sigmoid, tanh, relu, leaky_relu };

// Recommended gain for a nonlinearity; `param` is leaky_relu's negative slope.
float calculate_gain(Nonlinearity nl, float param = 0.01f);
// (fan_in, fan_out) of a weight of at least 2 dims (out, in, *receptive field).
std::pair<int64_t, int64_t> calculate_fans(const Shape& shape);

Tensor uniform_(Tensor t, float lo, float hi, Rng& rng);
Tensor normal_(Tensor t, float mean, float stddev, Rng& rng);
Tensor constant_(Tensor t, float value);
Tensor zeros_(Tensor t);
Tensor ones_(Tensor t);
// U(-b, b) with b = gain * sqrt(3 / fan). torch's defaults are a = 0, fan_in, leaky_relu;
// its Linear and Conv layers use a = sqrt(5), which gives b = 1 / sqrt(fan_in).
Tensor kaiming_uniform_(Tensor t, Rng& rng, float a = 0, FanMode mode = FanMode::fan_in,
                        Nonlinearity nl = Nonlinearity::leaky_relu);
// N(0, std^2) with std = gain / sqrt(fan).
Tensor kaiming_normal_(Tensor t, Rng& rng, float a = 0, FanMode mode = FanMode::fan_in,
                       Nonlinearity nl = Nonlinearity::leaky_relu);

}  // namespace soma::nn::init
