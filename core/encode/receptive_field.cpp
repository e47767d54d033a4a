#include "core/encode/receptive_field.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "core/autograd/node.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

namespace {

// The value of a one-element tensor, read on the host.
float one(const Tensor& t, const char* name) {
  if (t.numel() != 1)
    throw std::invalid_argument(std::string("receptive field: ") + name + " is not one value");
  return t.detach().to(Device::cpu).data()[0];
}

// (cos a, sin a) of a one-element tensor, with its gradient.
std::pair<Tensor, Tensor> cos_sin(const Tensor& angle) {
  const float a = one(angle, "angle"), c = std::cos(a), s = std::sin(a);
  Tensor cs = record("cos_sin", Tensor::from({2}, {c, s}), {angle}, [c, s](const Tensor& g) {
    const float* gp = g.data();
    return Tensors{Tensor::from({1}, {-s * gp[0] + c * gp[1]})};
  });
  return {select(cs, 0), select(cs, 1)};
}

// The pixel coordinates: px (i, j) = a_j, py (i, j) = a_i.
std::pair<Tensor, Tensor> grid(int64_t size, float domain) {
  std::vector<float> a(size_t(size), -domain);
  for (int64_t k = 1; k < size; ++k) a[size_t(k)] += 2 * domain * float(k) / float(size - 1);
  Tensor px = Tensor::zeros({size, size}), py = Tensor::zeros({size, size});
  for (int64_t i = 0; i < size; ++i)
    for (int64_t j = 0; j < size; ++j)
      px.data()[i * size + j] = a[size_t(j)], py.data()[i * size + j] = a[size_t(i)];
  return {px, py};
}

// n-th order differences along dim, with n zeros before the first entry (torch.diff with
// prepend): the size stays.
Tensor diff(Tensor f, int dim, int n) {
  const int64_t len = f.size(dim);
  for (int k = 0; k < n; ++k) {
    Shape zs = f.shape();
    zs[size_t(dim)] = 1;
    f = f - cat({Tensor::zeros(zs), slice(f, dim, 0, len - 1)}, dim);
  }
  return f;
}

}  // namespace

Tensor spatial_receptive_field(const Tensor& scale, const Tensor& angle, const Tensor& ratio,
                               int64_t size, int dx, int dy, float domain) {
  if (size < 1 || dx < 0 || dy < 0 || dx >= size || dy >= size || !(domain > 0))
    throw std::invalid_argument("receptive field: size " + std::to_string(size) +
                                ", derivatives (" + std::to_string(dx) + ", " + std::to_string(dy) +
                                ") and domain must be positive, "
                                "the derivatives below the size");
  if (!(one(scale, "scale") > 0) || !(one(ratio, "ratio") > 0))
    throw std::invalid_argument("receptive field: scale and ratio must be > 0");
  auto [c, s] = cos_sin(angle);
  auto [px, py] = grid(size, domain);
  const Tensor& s1 = scale;
  Tensor s2 = scale * ratio;
  Tensor u = (px * c - py * s) / s1, w = (px * s + py * c) / s2;
  Tensor norm = pow(s1 * s1 * s2, -1.0f) * (0.5f / std::numbers::pi_v<float>);
  Tensor k = norm * exp((u * u + w * w) / (s1 * -2.0f));
  return diff(diff(k, 0, dx), 1, dy);
}

std::vector<std::pair<int, int>> derivatives_up_to(int order) {
  if (order < 0) throw std::invalid_argument("receptive field: derivative order below 0");
  std::vector<std::pair<int, int>> d;
  for (int x = 0; x <= order; ++x)
    for (int y = 0; y <= order; ++y) d.emplace_back(x, y);
  return d;
}

Tensor spatial_parameters(const std::vector<float>& scales, const std::vector<float>& angles,
                          const std::vector<float>& ratios,
                          const std::vector<std::pair<int, int>>& derivatives,
                          bool include_replicas) {
  if (scales.empty() || angles.empty() || ratios.empty() || derivatives.empty())
    throw std::invalid_argument("receptive field: no scales, angles, ratios or derivatives");
  std::vector<float> rows;
  for (float sc : scales)
    for (size_t a = 0; a < angles.size(); ++a)
      for (float r : ratios) {
        if (r == 1 && a > 0 && !include_replicas) continue;  // a round field's other angles
        for (auto [x, y] : derivatives)
          rows.insert(rows.end(), {sc, angles[a], r, float(x), float(y)});
      }
  return Tensor::from({int64_t(rows.size() / 5), 5}, rows);
}

Tensor spatial_receptive_fields(const Tensor& params, int64_t size, float domain) {
  if (params.dim() != 2 || params.size(1) != 5 || params.size(0) == 0)
    throw std::invalid_argument("receptive field: parameters " + to_string(params.shape()) +
                                " are not rows of (scale, angle, ratio, dx, dy)");
  Tensors fields;
  for (int64_t n = 0; n < params.size(0); ++n) {
    Tensor row = select(params, n);
    const float* q = row.detach().to(Device::cpu).data();
    fields.push_back(spatial_receptive_field(slice(row, 0, 0, 1), slice(row, 0, 1, 2),
                                             slice(row, 0, 2, 3), size, int(q[3]), int(q[4]),
                                             domain));
  }
  return stack(fields);
}

std::vector<float> temporal_scale_distribution(int n_scales, float min_scale,
                                               std::optional<float> max_scale, float c) {
  if (n_scales < 1 || !(min_scale > 0) || (max_scale && !(*max_scale >= min_scale)))
    throw std::invalid_argument("temporal scales: need n >= 1 and 0 < min_scale <= max_scale");
  if (n_scales == 1) return {std::sqrt(min_scale)};
  const double k1 = 2.0 * (n_scales - 1);
  const double base = max_scale ? std::pow(double(*max_scale) / min_scale, 1 / k1) : c;
  const double tau_max = max_scale ? double(*max_scale) : std::pow(base, k1) * min_scale;
  std::vector<float> out;
  for (int k = 1; k <= n_scales; ++k)
    out.push_back(float(std::sqrt(std::pow(base, 2.0 * (k - n_scales)) * tau_max)));
  return out;
}

}  // namespace soma
