#pragma once
// A drawing pad for a task's interactive input (Task::input_shape, Task::infer): the left mouse
// button paints with a soft round brush about two cells wide, interpolated along the stroke; the
// right button erases everything. White on black, values in [0, 1], like MNIST.
#include <imgui.h>

#include "tasks/framework/telemetry.hpp"

namespace soma::ui {

// Draws `img` as a square pad `size` pixels wide; returns true when a stroke changed it.
bool draw_pad(Image& img, float size);

}  // namespace soma::ui
