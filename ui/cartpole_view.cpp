// The cart-pole panel: replays the last episode's (x, theta) traces at the environment's own
// pace (tau = 0.02 s per step). Track +-2.4 m, pole 1 m (twice gym's half length).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tasks/cartpole/cartpole_task.hpp"
#include "ui/playground.hpp"
#include "ui/plot_panel.hpp"
#include "ui/task_views.hpp"

namespace soma::ui {
namespace {

class CartpoleView : public TaskView {
 public:
  void reset() override { start_ms_ = now_ms(); }
  void draw(const Telemetry& t, float width) override {
    const Traces* tr = t.find_traces(CartpoleKeys::state);
    PanelRect r = begin_panel("cart-pole (last episode, real time)", ImVec2(width, 170));
    if (!tr || tr->steps == 0) return;
    const Series* rewards = t.find_series(CartpoleKeys::episode_reward);
    const size_t episode = rewards ? rewards->y.size() : 0;
    if (episode != episode_) {  // a new episode: replay it from its start
      episode_ = episode;
      start_ms_ = now_ms();
    }
    const int64_t i = std::min<int64_t>(tr->steps - 1, int64_t((now_ms() - start_ms_) / 20.0));
    const float x = tr->values[size_t(2 * i)], theta = tr->values[size_t(2 * i + 1)];
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float scale = r.width() / 5.6f, ground = r.max.y - 20;
    const float cx = (r.min.x + r.max.x) / 2 + x * scale;
    dl->AddLine(ImVec2(r.min.x, ground), ImVec2(r.max.x, ground), IM_COL32(120, 120, 130, 255), 2);
    for (float edge : {-2.4f, 2.4f}) {
      float ex = (r.min.x + r.max.x) / 2 + edge * scale;
      dl->AddLine(ImVec2(ex, ground - 10), ImVec2(ex, ground + 6), IM_COL32(200, 80, 80, 255), 2);
    }
    const float cw = 0.5f * scale, chh = 0.3f * scale;
    dl->AddRectFilled(ImVec2(cx - cw / 2, ground - chh), ImVec2(cx + cw / 2, ground),
                      IM_COL32(90, 170, 255, 255), 3);
    const float len = std::min(1.0f * scale, ground - chh - r.min.y - 4);
    ImVec2 pivot(cx, ground - chh);
    ImVec2 tip(cx + len * std::sin(theta), pivot.y - len * std::cos(theta));
    dl->AddLine(pivot, tip, IM_COL32(240, 200, 90, 255), 6);
    dl->AddCircleFilled(pivot, 4, IM_COL32(30, 30, 30, 255));
    char buf[96];
    std::snprintf(buf, sizeof buf, "step %lld/%lld  x %.2f m  angle %.1f deg", (long long)i + 1,
                  (long long)tr->steps, x, theta * 180 / 3.14159265);
    dl->AddText(r.min, IM_COL32(200, 200, 210, 255), buf);
  }

 private:
  size_t episode_ = size_t(-1);
  double start_ms_ = 0;
};

}  // namespace

std::unique_ptr<TaskView> make_cartpole_view() {
  return std::make_unique<CartpoleView>();
}

}  // namespace soma::ui
