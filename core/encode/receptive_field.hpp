#pragma once
// Gaussian receptive fields and their derivatives (Norse's functional.receptive_field, after
// Lindeberg's scale-space fields): kernels for a Conv2d that looks at an image, or at events, the
// way early visual neurons do, with gradients to their scale, angle and ratio so they can learn.
//
// One field of `size` x `size` pixels sampled on [-domain, domain]^2 (pixel (i, j) at
// p = (a_j, a_i), a = linspace(-domain, domain, size)):
//   k(p) = exp(-p^T C^-1 p / (2 scale)) / (2 pi scale sqrt(det C)),
//   C = R diag(s1^2, s2^2) R^T,  s1 = scale, s2 = scale * ratio,  R = [[cos, sin], [-sin, cos]]
// so p^T C^-1 p = (u / s1)^2 + (w / s2)^2 with u = cos a_j - sin a_i, w = sin a_j + cos a_i, and
// sqrt(det C) = s1 s2. Derivatives (dx, dy) are finite differences of order dx down the rows
// (Norse's "dx" runs along dim 0, which is the y coordinate) and dy along the columns, each with
// zeros before the first row or column, so the field keeps its size.
//
// spatial_parameters lists the fields of a bank as rows (scale, angle, ratio, dx, dy): every
// (scale, angle, ratio) combination crossed with every derivative. A field of ratio 1 is round,
// so its angles give the same kernel: without include_replicas it is listed at the first angle
// only. (Norse's code means to, but its list still holds every angle, only reordered.)
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/tensor/tensor.hpp"

namespace soma {

// scale, angle (radians), ratio: one-element tensors (may require grad). -> (size, size)
Tensor spatial_receptive_field(const Tensor& scale, const Tensor& angle, const Tensor& ratio,
                               int64_t size, int dx = 0, int dy = 0, float domain = 8);

// Derivatives (dx, dy): every pair up to `order` in each ((0, 0) alone for order 0).
std::vector<std::pair<int, int>> derivatives_up_to(int order);

// (N, 5) rows (scale, angle, ratio, dx, dy).
Tensor spatial_parameters(const std::vector<float>& scales, const std::vector<float>& angles,
                          const std::vector<float>& ratios,
                          const std::vector<std::pair<int, int>>& derivatives,
                          bool include_replicas = false);

// One field per row of params (N, 5) -> (N, size, size); gradients reach params' first three
// columns.
Tensor spatial_receptive_fields(const Tensor& params, int64_t size, float domain = 8);

// Lindeberg's temporal scales: the square roots of tau_k = c^(2 (k - K)) tau_max, k = 1..K, so
// tau runs from min_scale (tau_1) to tau_max = c^(2 (K - 1)) min_scale. With max_scale set,
// tau_max = max_scale and c = (max / min)^(1 / (2 (K - 1))). (Norse's code takes c = (min / max)^
// ..., which puts its first tau at max^2 / min, above the maximum.)
std::vector<float> temporal_scale_distribution(int n_scales, float min_scale = 1,
                                               std::optional<float> max_scale = std::nullopt,
                                               float c = 1.41421f);

}  // namespace soma
