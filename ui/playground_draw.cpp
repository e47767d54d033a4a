// The playground's layout: one window filling the display. Left: task picker, run bar, parameter
// panel, files. Right: the task's custom panel, then every series, raster, trace and image of its
// telemetry. With embed on, only the run bar and the views.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "tasks/registry.hpp"
#include "ui/draw_pad.hpp"
#include "ui/param_panel.hpp"
#include "ui/playground.hpp"
#include "ui/plot_panel.hpp"
#include "ui/raster_panel.hpp"
#include "ui/task_views.hpp"

namespace soma::ui {

void Playground::draw() {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("Soma playground", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings);
  if (!message_.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 170, 90, 255));
    ImGui::TextWrapped("%s", message_.c_str());
    ImGui::PopStyleColor();
  }
  if (opt_.embed) {
    draw_run_bar();
    ImGui::BeginChild("views");
    draw_views();
    ImGui::EndChild();
  } else {
    const float left = std::clamp(io.DisplaySize.x * 0.32f, 280.0f, 420.0f);
    ImGui::BeginChild("controls", ImVec2(left, 0), true);
    draw_controls();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("views");
    draw_views();
    ImGui::EndChild();
  }
  ImGui::End();
}

void Playground::draw_controls() {
  ImGui::Text("Soma playground");
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::BeginCombo("##task", task_name_.c_str())) {
    for (const std::string& name : opt_.tasks)
      if (ImGui::Selectable(name.c_str(), name == task_name_) && name != task_name_) {
        bool run = running_;
        open(name);
        running_ = run;
      }
    ImGui::EndCombo();
  }
  ImGui::TextWrapped("%s", task_->description().c_str());
  ImGui::Separator();
  draw_run_bar();
  ImGui::Separator();
  if (ImGui::CollapsingHeader("Parameters", ImGuiTreeNodeFlags_DefaultOpen)) {
    ImGui::TextDisabled("R: applied on reset (R*: changed, waiting)");
    if (draw_param_panel(*pending_, applied_.get())) {
      apply_live_params();
      notify();
    }
  }
  if (ImGui::CollapsingHeader("Files")) draw_files();
}

void Playground::draw_run_bar() {
  const bool done = !applied_ || task_->done();
  if (done) ImGui::BeginDisabled();
  if (ImGui::Button(running_ ? "Pause" : "Run ")) running_ = !running_;
  ImGui::SameLine();
  if (ImGui::Button("Step")) {
    running_ = false;
    step_once();
  }
  if (done) ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Reset")) reset();
  if (pending_->table().find("seed") >= 0) {
    ImGui::SameLine();
    if (ImGui::Button("New seed")) {
      static std::mt19937 gen{std::random_device{}()};
      pending_->set_int("seed", int64_t(gen() % 100000));
      reset();
    }
    if (!opt_.embed) {
      ImGui::SameLine();
      ImGui::Text("seed %lld", (long long)pending_->get_int("seed"));
    }
  }
  ImGui::SetNextItemWidth(120);
  ImGui::SliderInt("steps/frame", &opt_.steps_per_frame, 1, 1000, "%d",
                   ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine();
  float budget = float(opt_.frame_budget_ms);
  ImGui::SetNextItemWidth(90);
  if (ImGui::SliderFloat("ms budget", &budget, 1, 100, "%.0f")) opt_.frame_budget_ms = budget;
  ImGui::Text("step %lld  %.2f ms/step  %.1f steps/s  %.0f fps", (long long)stats_.steps,
              stats_.mean_ms, stats_.steps_per_second, ImGui::GetIO().Framerate);
  const Telemetry& t = task_->telemetry();
  ImGui::ProgressBar(float(t.progress), ImVec2(-FLT_MIN, 0),
                     t.status.empty() ? (done && stats_.steps ? "done" : "") : t.status.c_str());
}

void Playground::draw_files() {
  static char config[256], checkpoint[256];
  if (!config[0]) std::snprintf(config, sizeof config, "%s", config_path_.c_str());
  if (!checkpoint[0]) std::snprintf(checkpoint, sizeof checkpoint, "%s", checkpoint_dir_.c_str());
  ImGui::TextDisabled("configuration (JSON)");
  ImGui::SetNextItemWidth(-FLT_MIN);
  ImGui::InputText("##config", config, sizeof config);
  if (ImGui::Button("Save config")) save_config(config);
  ImGui::SameLine();
  if (ImGui::Button("Load config")) {
    if (hooks_.choose_file)
      hooks_.choose_file("config");
    else
      load_config(config);
  }
  ImGui::TextDisabled("checkpoint folder (checkpoint.safetensors)");
  ImGui::SetNextItemWidth(-FLT_MIN);
  ImGui::InputText("##checkpoint", checkpoint, sizeof checkpoint);
  if (ImGui::Button("Save checkpoint")) save_checkpoint(checkpoint);
  ImGui::SameLine();
  if (ImGui::Button("Load checkpoint")) {
    if (hooks_.choose_file)
      hooks_.choose_file("checkpoint");
    else
      load_checkpoint(checkpoint);
  }
  ImGui::TextDisabled("URL state: ?%s", query().c_str());
}

void Playground::draw_views() {
  const float w = ImGui::GetContentRegionAvail().x;
  const Telemetry& t = task_->telemetry();
  if (input_.rows > 0) {  // a task that takes drawn input: the pad beside its view
    const float pad = std::min(280.0f, w * 0.4f);
    ImGui::BeginGroup();
    ImGui::TextUnformatted("draw here (right click: clear)");
    const ImVec2 at = ImGui::GetCursorScreenPos();
    input_rect_[0] = at.x, input_rect_[1] = at.y, input_rect_[2] = pad, input_rect_[3] = pad;
    if (draw_pad(input_, pad)) task_->infer(input_);
    if (ImGui::Button("Clear")) {
      std::fill(input_.values.begin(), input_.values.end(), 0.0f);
      task_->infer(input_);
    }
    ImGui::EndGroup();
    ImGui::SameLine();
    ImGui::BeginGroup();
    if (view_) view_->draw(t, ImGui::GetContentRegionAvail().x);
    ImGui::EndGroup();
  } else if (view_) {
    view_->draw(t, w);
  }
  // Two columns of panels when there is room.
  const int cols = w > 700 ? 2 : 1;
  const float pw = (w - ImGui::GetStyle().ItemSpacing.x * float(cols - 1)) / float(cols);
  int k = 0;
  auto place = [&] {
    if (k++ % cols != 0) ImGui::SameLine();
    ImGui::BeginGroup();
  };
  for (const Series& s : t.series()) {
    place();
    draw_plot(s, ImVec2(pw, 120));
    ImGui::EndGroup();
  }
  for (const Raster& r : t.rasters()) {
    place();
    draw_raster(r, ImVec2(pw, 140));
    ImGui::EndGroup();
  }
  for (const Traces& tr : t.traces()) {
    place();
    draw_traces(tr, ImVec2(pw, 120));
    ImGui::EndGroup();
  }
  for (const Image& img : t.images()) {
    if (img.rows == 1 && is_panel_state(img.name)) continue;  // drawn by the diagram
    place();
    draw_heatmap(img, ImVec2(pw, std::min(160.0f, pw)));
    ImGui::EndGroup();
  }
  if (t.series().empty() && t.rasters().empty() && t.images().empty() && input_.rows == 0)
    ImGui::TextDisabled("press Run (or Step): plots appear with the first step");
}

}  // namespace soma::ui
