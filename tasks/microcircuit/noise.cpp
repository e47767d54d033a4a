#include "tasks/microcircuit/noise.hpp"

#include <cmath>

namespace soma::mc {

double cosine(const Vec& a, const Vec& b) {
  const double na = a.norm(), nb = b.norm();
  return na > 0 && nb > 0 ? a.dot(b) / (na * nb) : 0.0;
}

namespace {

// eps = (1 - cos(u_breve, B r_top))/2 without a temporary for B r_top.
double epsilon(const Model& m, int k) {
  const Mat& B = m.B[size_t(k)];
  const Vec& r = m.rP[size_t(m.c.top[size_t(k)])];
  const Vec& u = m.uP_breve[size_t(k)];
  double dot = 0, nb = 0;
  for (Eigen::Index i = 0; i < B.rows(); ++i) {
    const double bi = B.row(i).dot(r);
    dot += bi * u[i];
    nb += bi * bi;
  }
  const double nu = u.norm();
  const double cos = nu > 0 && nb > 0 ? dot / (nu * std::sqrt(nb)) : 0.0;
  return 0.5 * (1 - cos);
}

void layer_std(Model& m, int k) {
  const McParams& p = *m.p;
  const double s = per_layer(p.noise_scale, size_t(k));
  Vec& sd = m.std_xi[size_t(k)];
  const std::string& mode = p.noise_mode;
  if (mode == "const") {
    sd.setConstant(s);
  } else if (mode == "uP") {
    sd = s * m.uP[size_t(k)].cwiseAbs();
  } else if (mode == "vapi") {
    sd = s * m.vapi[size_t(k)].cwiseAbs();
  } else {  // uP_adaptive
    m.eps[size_t(k)] = epsilon(m, k);
    m.eps_lo[size_t(k)] += (p.dt / p.taueps) * (m.eps[size_t(k)] - m.eps_lo[size_t(k)]);
    const double threshold = 0.5 * (1 - std::cos(p.noise_deg * M_PI / 180));
    if (m.eps_lo[size_t(k)] > threshold)
      sd = (s * m.eps_lo[size_t(k)]) * m.uP[size_t(k)].cwiseAbs();
    else
      sd.setZero();
  }
}

}  // namespace

void resample_noise(Model& m, Rng& rng) {
  const McParams& p = *m.p;
  const bool ou = p.noise_type == "OU";
  const double a = p.dtxi / p.tauxi, b = std::sqrt(p.dtxi * p.tauxi) / p.tauxi;
  for (int k = 0; k < m.c.nhid; ++k) {
    Vec& xi = m.xi[size_t(k)];
    if (m.c.phased && k != m.active) {
      xi.setZero();
      continue;
    }
    layer_std(m, k);
    const Vec& sd = m.std_xi[size_t(k)];
    for (Eigen::Index i = 0; i < xi.size(); ++i) {
      const double n = rng.normal();
      xi[i] = ou ? xi[i] - a * xi[i] + b * sd[i] * n : sd[i] * n;
    }
  }
}

}  // namespace soma::mc
