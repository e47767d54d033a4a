// The drawing demo's panel: the class probabilities as bars, the winner highlighted and large.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "tasks/mnist/digits_task.hpp"
#include "ui/plot_panel.hpp"
#include "ui/task_views.hpp"

namespace soma::ui {
namespace {

class DigitsView : public TaskView {
 public:
  bool shows(const std::string& item) const override { return item == DigitsKeys::probabilities; }
  void draw(const Telemetry& t, float width) override {
    const Image* probs = t.find_image(DigitsKeys::probabilities);
    PanelRect r = begin_panel("class probabilities", ImVec2(width, 150));
    if (!probs || probs->cols != 10) {
      ImGui::GetWindowDrawList()->AddText(ImVec2(r.min.x + 6, r.min.y + 6),
                                          IM_COL32(170, 170, 180, 255), "no digit drawn yet");
      return;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int best =
        int(std::max_element(probs->values.begin(), probs->values.end()) - probs->values.begin());
    const float bw = r.width() / 10, base = r.max.y - ImGui::GetFontSize() - 2;
    for (int d = 0; d < 10; ++d) {
      const float h = (base - r.min.y) * probs->values[size_t(d)];
      const float x = r.min.x + bw * float(d);
      dl->AddRectFilled(ImVec2(x + 3, base - h), ImVec2(x + bw - 3, base),
                        d == best ? IM_COL32(240, 200, 90, 255) : IM_COL32(90, 170, 255, 255));
      char label[4];
      std::snprintf(label, sizeof label, "%d", d);
      dl->AddText(ImVec2(x + bw / 2 - 3, base + 1), IM_COL32(220, 220, 230, 255), label);
    }
  }
};

}  // namespace

std::unique_ptr<TaskView> make_digits_view() {
  return std::make_unique<DigitsView>();
}

}  // namespace soma::ui
