// The microcircuit panel, from the task's "state/..." images and "angle_layerK" series: one
// column per pyramidal layer (input on the left), each neuron drawn as a soma with its basal
// dendrite below and, in hidden layers, its apical dendrite above, coloured by potential; the
// interneuron populations sit beside the layer they mirror. Under each hidden layer, the first
// seed's angle between its feedback weights B and the forward weights W^T it should align with
// (the angle plots below show every seed).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "tasks/microcircuit/microcircuit_task.hpp"
#include "ui/plot_panel.hpp"
#include "ui/task_views.hpp"

namespace soma::ui {
namespace {

ImU32 potential_color(float v) {  // blue (negative) - grey (0) - red (positive)
  float a = std::tanh(v);
  int g = 90;
  return a >= 0 ? IM_COL32(g + int((255 - g) * a), g - int(40 * a), g - int(40 * a), 255)
                : IM_COL32(g + int(40 * a), g + int(20 * a), g - int((255 - g) * a), 255);
}

class MicrocircuitView : public TaskView {
 public:
  void draw(const Telemetry& t, float width) override {
    int layers = 0;
    using K = MicrocircuitKeys;
    while (t.find_image(K::soma(size_t(layers + 1)))) ++layers;
    PanelRect r = begin_panel("microcircuit (first seed): compartments and angle(B, W^T)",
                              ImVec2(width, 230));
    if (layers == 0) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float colw = r.width() / float(layers), top = r.min.y + 18, bottom = r.max.y - 70;
    for (int k = 0; k < layers; ++k) {
      const size_t layer = size_t(k + 1);
      const Image* soma = t.find_image(K::soma(layer));
      const Image* basal = t.find_image(K::basal(layer));
      const Image* apical = t.find_image(K::apical(layer));
      const Image* inter = t.find_image(K::inter_soma(layer - 1));
      const float x0 = r.min.x + colw * float(k);
      char buf[64];
      if (k + 1 == layers)
        std::snprintf(buf, sizeof buf, "output (%lld)", (long long)soma->cols);
      else
        std::snprintf(buf, sizeof buf, "layer %d (%lld)", k + 1, (long long)soma->cols);
      dl->AddText(ImVec2(x0 + 4, r.min.y), IM_COL32(200, 200, 210, 255), buf);
      const int n = int(std::min<int64_t>(soma->cols, 12));
      const float step = (bottom - top) / float(n);
      const float rad = std::clamp(step / 5, 3.0f, 9.0f), cx = x0 + colw * 0.35f;
      for (int i = 0; i < n; ++i) {
        const float cy = top + step * (float(i) + 0.5f);
        dl->AddTriangleFilled(ImVec2(cx - rad, cy + rad), ImVec2(cx + rad, cy + rad),
                              ImVec2(cx, cy - rad), potential_color(soma->values[size_t(i)]));
        if (basal)
          dl->AddCircleFilled(ImVec2(cx, cy + rad * 1.9f), rad * 0.6f,
                              potential_color(basal->values[size_t(i)]));
        if (apical)
          dl->AddCircleFilled(ImVec2(cx, cy - rad * 1.9f), rad * 0.6f,
                              potential_color(apical->values[size_t(i)]));
        if (inter && i < inter->cols)
          dl->AddCircleFilled(ImVec2(cx + colw * 0.3f, cy), rad * 0.8f,
                              potential_color(inter->values[size_t(i)]));
      }
      if (k + 1 < layers) draw_angle(t, k + 1, ImVec2(x0 + colw * 0.5f, r.max.y - 12), dl);
    }
  }

 private:
  // Two needles from a common pivot: W^T (fixed, up) and B (turned by the angle between them).
  static void draw_angle(const Telemetry& t, int layer, ImVec2 pivot, ImDrawList* dl) {
    // The diagram is the first seed's, and so is its needle (the plots show every seed).
    const Series* s = t.find_series(MicrocircuitKeys::angle_of_seed(size_t(layer), 1));
    if (!s) s = t.find_series(MicrocircuitKeys::angle(size_t(layer)));
    if (!s || s->y.empty()) return;
    const float deg = float(s->last()), rad = deg * 3.14159265f / 180, len = 48;
    dl->AddLine(pivot, ImVec2(pivot.x, pivot.y - len), IM_COL32(150, 150, 160, 255), 2);
    dl->AddLine(pivot, ImVec2(pivot.x + len * std::sin(rad), pivot.y - len * std::cos(rad)),
                IM_COL32(240, 200, 90, 255), 3);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f deg", deg);
    dl->AddText(ImVec2(pivot.x + 6, pivot.y - 14), IM_COL32(220, 220, 230, 255), buf);
  }
};

}  // namespace

std::unique_ptr<TaskView> make_microcircuit_view() {
  return std::make_unique<MicrocircuitView>();
}

}  // namespace soma::ui
