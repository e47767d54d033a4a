#include "tasks/cartpole/cartpole_env.hpp"

#include <cmath>
#include <numbers>

namespace soma {
namespace {

constexpr double kGravity = 9.8, kMassCart = 1.0, kMassPole = 0.1;
constexpr double kTotalMass = kMassCart + kMassPole, kHalfLength = 0.5;
constexpr double kForce = 10.0, kTau = 0.02, kXLimit = 2.4;
constexpr double kThetaLimit = 12 * 2 * std::numbers::pi / 360;

}  // namespace

CartPole::Observation CartPole::reset() {
  for (double& v : s_) v = double(rng_.uniform(-0.05f, 0.05f));
  steps_ = 0;
  return s_;
}

CartPole::Step CartPole::step(int action) {
  auto [x, xdot, th, thdot] = s_;
  const double force = action == 1 ? kForce : -kForce;
  const double c = std::cos(th), s = std::sin(th);
  const double temp = (force + kMassPole * kHalfLength * thdot * thdot * s) / kTotalMass;
  const double thacc =
      (kGravity * s - c * temp) / (kHalfLength * (4.0 / 3.0 - kMassPole * c * c / kTotalMass));
  const double xacc = temp - kMassPole * kHalfLength * thacc * c / kTotalMass;
  s_ = {x + kTau * xdot, xdot + kTau * xacc, th + kTau * thdot, thdot + kTau * thacc};
  ++steps_;
  bool fell = std::abs(s_[0]) > kXLimit || std::abs(s_[2]) > kThetaLimit;
  return {s_, 1.0, fell || steps_ >= max_steps_};
}

}  // namespace soma
