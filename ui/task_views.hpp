#pragma once
// Custom panels for tasks where a picture says more than a plot, drawn from Telemetry only:
//   cartpole      the last episode replayed in real time (50 steps/s) from its
//                 "cart position and pole angle" traces: track, cart and pole;
//   microcircuit  the first seed's network: pyramidal neurons with basal, somatic and apical
//                 compartments coloured by potential, interneuron populations, and per hidden
//                 layer the angle between B and W^T drawn as two needles;
//   digits        the class probabilities of the drawn digit as bars;
//   dsqn          the cart as the spiking Q-network drives it live, with its two Q-values.
#include <memory>
#include <string>

#include "tasks/framework/telemetry.hpp"

namespace soma::ui {

class TaskView {
 public:
  virtual ~TaskView() = default;
  virtual void reset() {}
  // Draws into the current ImGui window, `width` pixels wide.
  virtual void draw(const Telemetry& t, float width) = 0;
  // True for a telemetry item this panel already shows (the generic panels skip it).
  virtual bool shows(const std::string& /*item*/) const { return false; }
};

// nullptr when the task has no custom panel.
std::unique_ptr<TaskView> make_task_view(const std::string& task);

std::unique_ptr<TaskView> make_cartpole_view();
std::unique_ptr<TaskView> make_microcircuit_view();
std::unique_ptr<TaskView> make_digits_view();
std::unique_ptr<TaskView> make_dsqn_view();

}  // namespace soma::ui
