// The DSQN demo's panel: the cart as the spiking Q-network drives it now (the newest state of
// the "cart position and pole angle" trace, not a replay), and the network's two Q-values (its
// output potentials U_L[T]) as bars, the chosen push highlighted. The hidden spike raster of
// the same step is drawn by the generic raster panel.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tasks/dsqn/dsqn_task.hpp"
#include "ui/cart_drawing.hpp"
#include "ui/task_views.hpp"

namespace soma::ui {
namespace {

class DsqnView : public TaskView {
 public:
  void draw(const Telemetry& t, float width) override {
    const Traces* tr = t.find_traces(DsqnKeys::state);
    PanelRect r =
        begin_panel("cart-pole driven by the spiking Q-network (live)", ImVec2(width, 170));
    if (!tr || tr->steps == 0) return;
    const size_t i = size_t(tr->steps - 1);
    const float x = tr->values[2 * i], theta = tr->values[2 * i + 1];
    draw_cart_pole(r, x, theta);
    const Traces* qv = t.find_traces(DsqnKeys::q_values);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    char buf[128];
    std::snprintf(buf, sizeof buf, "step %lld  x %.2f m  angle %.1f deg", (long long)tr->steps, x,
                  theta * 180 / 3.14159265);
    dl->AddText(r.min, IM_COL32(200, 200, 210, 255), buf);
    if (!qv || qv->steps == 0) return;
    // Q-values: two horizontal bars from the panel's right side, scaled to the larger one.
    const size_t last = size_t(qv->steps - 1);
    const double a = qv->values[2 * last], b = qv->values[2 * last + 1],
                 m = std::max({std::abs(a), std::abs(b), 1e-6});
    const float bx = r.max.x - 150, bw = 140, y0 = r.min.y + 22;
    const char* names[2] = {"Q left ", "Q right"};
    const double q[2] = {a, b};
    for (int k = 0; k < 2; ++k) {
      const float y = y0 + float(k) * 18, len = float(bw * std::abs(q[k]) / m);
      const bool chosen = (k == 1) == (b > a);
      dl->AddRectFilled(ImVec2(bx, y), ImVec2(bx + len, y + 14),
                        chosen ? IM_COL32(240, 200, 90, 255) : IM_COL32(90, 170, 255, 255));
      std::snprintf(buf, sizeof buf, "%s %.2f", names[k], q[k]);
      dl->AddText(ImVec2(bx - 95, y), IM_COL32(220, 220, 230, 255), buf);
    }
  }
};

}  // namespace

std::unique_ptr<TaskView> make_dsqn_view() {
  return std::make_unique<DsqnView>();
}

}  // namespace soma::ui
