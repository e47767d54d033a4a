#include "tasks/microcircuit/angles.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace soma::mc {

double angle_deg(const Mat& a, const Mat& b) {
  const double na = a.norm(), nb = b.norm();
  if (!(na > 0 && nb > 0) || a.rows() != b.rows() || a.cols() != b.cols())
    return std::numeric_limits<double>::quiet_NaN();
  const double cos = std::clamp(a.cwiseProduct(b).sum() / (na * nb), -1.0, 1.0);
  return std::acos(cos) * 180 / M_PI;
}

namespace {
bool comparable(const Model& m, int k) {
  const Mat& W = m.W[size_t(m.c.top[size_t(k)])];
  const Mat& B = m.B[size_t(k)];
  return W.rows() == B.cols() && W.cols() == B.rows();
}
}  // namespace

double angle_B_WT(const Model& m, int k) {
  if (!comparable(m, k)) return std::numeric_limits<double>::quiet_NaN();
  return angle_deg(m.B[size_t(k)], m.W[size_t(m.c.top[size_t(k)])].transpose());
}

double angle_B_weighted(const Model& m, int k) {
  if (!comparable(m, k)) return std::numeric_limits<double>::quiet_NaN();
  const int top = m.c.top[size_t(k)];
  Vec dk(m.uP_breve[size_t(k)].size()), dt(m.uP_breve[size_t(top)].size());
  phi_prime(m.c.act[size_t(k)], m.uP_breve[size_t(k)], dk);
  phi_prime(m.c.act[size_t(top)], m.uP_breve[size_t(top)], dt);
  const Mat target = dk.asDiagonal() * m.W[size_t(top)].transpose() * dt.asDiagonal();
  return angle_deg(m.B[size_t(k)], target);
}

}  // namespace soma::mc
