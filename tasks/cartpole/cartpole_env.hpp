#pragma once
// CartPole exactly as gym's classic_control/cartpole.py (0.15.4, the -v1 limits):
//   constants   g 9.8, m_cart 1.0, m_pole 0.1, half pole length 0.5, force +-10 (action 1 = +),
//               tau 0.02 s, explicit Euler (every update uses the old values)
//   step        temp   = (F + m_pole l thdot^2 sin th) / M
//               thacc  = (g sin th - cos th temp) / (l (4/3 - m_pole cos^2 th / M))
//               xacc   = temp - m_pole l thacc cos th / M
//               x += tau xdot; xdot += tau xacc; th += tau thdot; thdot += tau thacc
//   terminal    |x| > 2.4 or |th| > 12 degrees (strict), checked after the update
//   reward      1 every step, the terminal one included; episodes end at max_steps (500)
//   reset       each of (x, xdot, th, thdot) uniform in [-0.05, 0.05)
// gym seeds its own Mersenne twister through a hash; here the project Rng draws the starts, so
// compare statistics with gym, not exact start states.
#include <array>

#include "core/random/rng.hpp"

namespace soma {

class CartPole {
 public:
  using Observation = std::array<double, 4>;  // x, xdot, theta, thetadot
  // The legend of a plot of (x, theta) per step (the cart-pole and DSQN panels).
  static constexpr const char* kPositionLabel = "cart position (m)";
  static constexpr const char* kAngleLabel = "pole angle (rad)";
  static constexpr const char* kStepLabel = "environment step";

  explicit CartPole(uint64_t seed, int max_steps = 500) : rng_(seed), max_steps_(max_steps) {}
  Observation reset();
  struct Step {
    Observation obs;
    double reward;
    bool done;  // fell over, left the track, or reached max_steps
  };
  Step step(int action);
  const Observation& state() const { return s_; }
  int steps() const { return steps_; }
  // Set the state directly (tests, or a GUI that replays a trajectory).
  void set_state(const Observation& s) { s_ = s, steps_ = 0; }
  // The stream the starts are drawn from (a checkpoint keeps its state).
  Rng& rng() { return rng_; }
  const Rng& rng() const { return rng_; }

 private:
  Rng rng_;
  int max_steps_;
  int steps_ = 0;
  Observation s_{};
};

}  // namespace soma
