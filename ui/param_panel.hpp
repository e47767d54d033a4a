#pragma once
// Widgets generated from a ParamTable: a checkbox for a bool, a combo for a choice, a slider for a
// number with both bounds (logarithmic when the range spans more than two decades), an input
// field otherwise, a text field for a string. Parameters with the restart flag carry an "R" mark;
// one whose pending value differs from the applied one is drawn highlighted until the reset.
// Every edit goes through ParamValues::set, so an out-of-range value never gets in.
#include "core/params/param_values.hpp"

namespace soma::ui {

#include <string>
#include <vector>

// Draws a row for each spec in `rows` (in that order); `id` tells two tables in one window
// apart. The label column is sized from the widest label up front, so no label collapses on the
// first frame. Returns true when a value changed this frame; `clipped` (optional) gets the
// number of labels wider than their column.
bool draw_param_panel(ParamValues& pending, const ParamValues* applied,
                      const std::vector<const ParamSpec*>& rows, const char* id = "params",
                      int* clipped = nullptr);

}  // namespace soma::ui
