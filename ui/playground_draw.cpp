// The playground's layout: one window filling the display. Wide (>= 700 px): the controls on the
// left (task picker, what the demo shows and a "try this" hint, the run bar, the demo's chosen
// parameters, the rest under "Advanced", files), the task's panel and every series, raster,
// trace and image of its telemetry on the right. Narrow (a phone at 375 px): the same stacked in
// one scrolling column. Embed: the title, the description, the chosen controls and the views.
#include <imgui.h>
#include <imgui_internal.h>  // the views' content width (DC.CursorMaxPos), for state_json

#include <algorithm>
#include <cstdio>
#include <random>

#include "tasks/registry.hpp"
#include "ui/demo_notes.hpp"
#include "ui/draw_pad.hpp"
#include "ui/param_panel.hpp"
#include "ui/playground.hpp"
#include "ui/plot_panel.hpp"
#include "ui/raster_panel.hpp"
#include "ui/task_views.hpp"

namespace soma::ui {

namespace {
constexpr float kNarrow = 700;  // below this width the controls stack above the views

// How far the current window's content reaches past its right edge (0: it fits).
float overflow_of_current_window() {
  const ImGuiWindow* w = ImGui::GetCurrentWindow();
  return std::max(0.0f, w->DC.CursorMaxPos.x - w->InnerRect.Max.x);  // scrollbar excluded
}
}  // namespace

void Playground::draw() {
  const ImGuiIO& io = ImGui::GetIO();
  if (!notice_.empty() && now_ms() > notice_until_ms_) notice_.clear();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  // No background: the platform's glClear already paints it, and under a software renderer a
  // blended full-screen quad is a measurable share of the frame.
  ImGui::Begin("Soma playground", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBackground);
  if (opt_.show_message && !message_.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 170, 90, 255));
    ImGui::TextWrapped("%s", message_.c_str());
    ImGui::PopStyleColor();
  }
  const bool narrow = io.DisplaySize.x < kNarrow;
  if (opt_.embed) {
    ImGui::Text("%s", task_name_.c_str());
    draw_intro();
    draw_run_bar();
    draw_params();
    ImGui::BeginChild("views");
    take_touch_scroll();
    draw_views();
    ImGui::EndChild();
  } else if (narrow) {  // one column, scrolled as a whole, with a scrollbar a finger can hold
    ImGui::PushStyleVar(ImGuiStyleVar_ScrollbarSize, 22);
    ImGui::BeginChild("controls");
    take_touch_scroll();
    draw_controls();
    ImGui::Separator();
    draw_views();
    controls_scroll_[0] = ImGui::GetScrollY(), controls_scroll_[1] = ImGui::GetScrollMaxY();
    ImGui::EndChild();
    ImGui::PopStyleVar();
  } else {
    const float left = std::clamp(io.DisplaySize.x * 0.32f, 280.0f, 420.0f);
    ImGui::BeginChild("controls", ImVec2(left, 0), true);
    take_touch_scroll();
    draw_controls();
    controls_scroll_[0] = ImGui::GetScrollY(), controls_scroll_[1] = ImGui::GetScrollMaxY();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("views");
    take_touch_scroll();
    draw_views();
    ImGui::EndChild();
  }
  ImGui::End();
  touch_scroll_ = 0;  // a drag outside any scrolling panel scrolls nothing
}

// Called inside a scrolling child: a finger's drag over it scrolls it (it takes effect on the
// next frame, as a wheel notch does).
void Playground::take_touch_scroll() {
  if (touch_scroll_ == 0 || !ImGui::IsWindowHovered()) return;
  ImGui::SetScrollY(std::clamp(ImGui::GetScrollY() + touch_scroll_, 0.0f, ImGui::GetScrollMaxY()));
  touch_scroll_ = 0;
}

void Playground::draw_intro() {
  const DemoNote* note = demo_note(task_name_);
  if (!note) {
    ImGui::TextWrapped("%s", task_->description().c_str());
    return;
  }
  ImGui::TextWrapped("%s", note->what.c_str());
  ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(150, 200, 255, 255));
  ImGui::TextWrapped("%s", note->try_this.c_str());
  ImGui::PopStyleColor();
}

// The demo's chosen controls first; every other parameter under "Advanced" (outside the
// browser's reach: the device, which is always the CPU there, and file paths).
void Playground::draw_params() {
  const DemoNote* note = demo_note(task_name_);
  std::vector<const ParamSpec*> chosen, rest;
  const ParamTable& table = pending_->table();
  if (note)
    for (const std::string& n : note->controls)
      if (int i = table.find(n); i >= 0) chosen.push_back(&table.specs()[size_t(i)]);
  for (const ParamSpec& s : table) {
    if (std::find(chosen.begin(), chosen.end(), &s) != chosen.end()) continue;
    if (opt_.browser && (s.name == "device" || s.type == ParamType::string)) continue;
    rest.push_back(&s);
  }
  if (!note) chosen.swap(rest);
  bool changed = false;
  int clipped = 0, more = 0;
  changed |= draw_param_panel(*pending_, applied_.get(), chosen, "chosen", &clipped);
  if (!opt_.embed && !rest.empty() &&
      ImGui::CollapsingHeader(note ? "Advanced" : "More parameters")) {
    ImGui::TextDisabled("R: applied on Reset (R*: changed, waiting)");
    changed |= draw_param_panel(*pending_, applied_.get(), rest, "advanced", &more);
  }
  labels_clipped_ = clipped + more;
  if (changed) {
    apply_live_params();
    notify();
  }
}

void Playground::draw_controls() {
  ImGui::Text("Soma playground");
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::BeginCombo("##task", task_name_.c_str())) {
    for (const std::string& name : opt_.tasks)
      if (ImGui::Selectable(name.c_str(), name == task_name_) && name != task_name_) {
        bool run = running_;
        open(name);
        running_ = run && applied_;
        notify();
      }
    ImGui::EndCombo();
  }
  draw_intro();
  ImGui::Separator();
  draw_run_bar();
  ImGui::Separator();
  draw_params();
  if (ImGui::CollapsingHeader("Files")) draw_files();
}

void Playground::draw_run_bar() {
  const bool done = !applied_ || task_done();
  if (done) ImGui::BeginDisabled();
  if (ImGui::Button(running_ ? "Pause" : "Run ")) set_running(!running_);
  ImGui::SameLine();
  if (ImGui::Button("Step")) {
    set_running(false);
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
  if (!opt_.embed) {  // the developer's dials: none of them in an embedded demo
    const float sp = ImGui::GetStyle().ItemInnerSpacing.x, gap = ImGui::GetStyle().ItemSpacing.x;
    const bool one_line = 120 + 90 + ImGui::CalcTextSize("steps/frame").x +
                              ImGui::CalcTextSize("ms budget").x + 2 * sp + gap <=
                          ImGui::GetContentRegionAvail().x;
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("steps/frame", &opt_.steps_per_frame, 1, 1000, "%d",
                     ImGuiSliderFlags_Logarithmic);
    if (one_line) ImGui::SameLine();
    float budget = float(opt_.frame_budget_ms);
    ImGui::SetNextItemWidth(90);
    if (ImGui::SliderFloat("ms budget", &budget, 1, 100, "%.0f")) opt_.frame_budget_ms = budget;
    // Rates of the last whole second: a line that changes every frame would make every frame
    // differ, and the web page draws only frames that differ.
    ImGui::TextWrapped("step %lld  %.2f ms/step  %.1f steps/s  %.0f fps", (long long)stats_.steps,
                       stats_.mean_ms, stats_.steps_per_second, stats_.frames_per_second);
  }
  const Telemetry& t = telemetry();
  // A dark blue fill: white text on ImGui's default yellow read at 1.9:1, on this at over 5:1.
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, IM_COL32(38, 96, 168, 255));
  ImGui::ProgressBar(float(t.progress), ImVec2(-FLT_MIN, 0),
                     t.status.empty() ? (done && stats_.steps ? "done" : "") : t.status.c_str());
  ImGui::PopStyleColor();
}

void Playground::draw_files() {
  if (!opt_.browser) {  // the browser has no paths: downloads and a file chooser instead
    static char config[256], checkpoint[256];
    if (!config[0]) std::snprintf(config, sizeof config, "%s", config_path_.c_str());
    if (!checkpoint[0]) std::snprintf(checkpoint, sizeof checkpoint, "%s", checkpoint_dir_.c_str());
    ImGui::TextDisabled("configuration (JSON)");
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputText("##config", config, sizeof config);
    config_path_ = config;
    ImGui::TextDisabled("checkpoint folder (checkpoint.safetensors)");
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputText("##checkpoint", checkpoint, sizeof checkpoint);
    checkpoint_dir_ = checkpoint;
  }
  if (ImGui::Button("Save config")) save_config(config_path_);
  ImGui::SameLine();
  if (ImGui::Button("Load config")) {
    if (hooks_.choose_file)
      hooks_.choose_file("config");
    else
      load_config(config_path_);
  }
  if (ImGui::Button("Save checkpoint")) save_checkpoint(checkpoint_dir_);
  ImGui::SameLine();
  if (ImGui::Button("Load checkpoint")) {
    if (hooks_.choose_file)
      hooks_.choose_file("checkpoint");
    else
      load_checkpoint(checkpoint_dir_);
  }
  const std::string nir_file = checkpoint_dir_ + "/" + task_name_ + ".nir";
  if (ImGui::Button("Export NIR")) export_nir(nir_file);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the network as a NIR graph (HDF5), for Norse, snnTorch, Lava, ...");
  ImGui::SameLine();
  if (ImGui::Button("Import NIR")) {
    if (hooks_.choose_file)
      hooks_.choose_file("nir");
    else
      import_nir(nir_file);
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the network's weights and constants from a NIR graph of the same shape");
  // The confirmation sits on one reserved line under the buttons, so nothing moves when it
  // appears or clears.
  ImGui::TextDisabled("%s", notice_.empty() ? " " : notice_.c_str());
  ImGui::TextDisabled("URL state: ?%s", query().c_str());
}

void Playground::draw_views() {
  const float w = ImGui::GetContentRegionAvail().x;
  const Telemetry& t = telemetry();
  if (input_.rows > 0) {  // a task that takes drawn input: the pad beside (or above) its view
    const bool stacked = w < 520;
    const float pad = stacked ? std::min(w, 320.0f) : std::min(280.0f, w * 0.4f);
    ImGui::BeginGroup();
    ImGui::TextUnformatted("draw here (right click: clear)");
    const ImVec2 at = ImGui::GetCursorScreenPos();
    input_rect_[0] = at.x, input_rect_[1] = at.y, input_rect_[2] = pad, input_rect_[3] = pad;
    if (draw_pad(input_, pad) && !job_) task_->infer(input_);
    if (ImGui::Button("Clear") && !job_) {
      std::fill(input_.values.begin(), input_.values.end(), 0.0f);
      task_->infer(input_);
    }
    ImGui::EndGroup();
    if (!stacked) ImGui::SameLine();
    ImGui::BeginGroup();
    if (view_) view_->draw(t, stacked ? w : ImGui::GetContentRegionAvail().x);
    ImGui::EndGroup();
  } else if (view_) {
    view_->draw(t, w);
  }
  // Noisy series (per-batch loss and accuracy) are drawn faint under a moving average whose
  // weight this slider sets, as TensorBoard's does.
  if (std::any_of(t.series().begin(), t.series().end(),
                  [](const Series& s) { return s.style.smooth && s.y.size() > 2; })) {
    float smoothing = float(opt_.smoothing);
    ImGui::SetNextItemWidth(std::min(160.0f, w * 0.4f));
    if (ImGui::SliderFloat("smoothing", &smoothing, 0, 0.99f, "%.2f")) opt_.smoothing = smoothing;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "noisy series: the raw values faint, an exponential moving average over "
          "them (0: raw only)");
  }
  // Two columns of panels when there is room. A panel scrolled out of sight takes its place
  // without drawing (its vertices would be clipped away by the renderer, after costing it).
  const int cols = w > kNarrow ? 2 : 1;
  const float pw = (w - ImGui::GetStyle().ItemSpacing.x * float(cols - 1)) / float(cols);
  int k = 0;
  auto place = [&](float h) {
    if (k++ % cols != 0) ImGui::SameLine();
    const ImVec2 whole(pw, ImGui::GetTextLineHeightWithSpacing() + h);
    if (ImGui::IsRectVisible(whole)) {
      ImGui::BeginGroup();
      return true;
    }
    ImGui::Dummy(whole);
    return false;
  };
  for (const Series& s : t.series()) {
    if (!s.style.overlay.empty() && t.find_series(s.style.overlay)) continue;  // drawn on it
    if (s.y.empty()) continue;  // described, no point yet (a test accuracy before the test)
    if (!place(140)) continue;
    std::vector<const Series*> overlays;
    for (const Series& o : t.series())
      if (o.style.overlay == s.name) overlays.push_back(&o);
    draw_plot(s, overlays, ImVec2(pw, 140), opt_.smoothing);
    ImGui::EndGroup();
  }
  for (const Raster& r : t.rasters()) {
    if (!place(140)) continue;
    draw_raster(r, ImVec2(pw, 140));
    ImGui::EndGroup();
  }
  for (const Traces& tr : t.traces()) {
    if (!place(140)) continue;
    draw_traces(tr, ImVec2(pw, 140));
    ImGui::EndGroup();
  }
  for (const Image& img : t.images()) {
    if (img.rows == 1 && is_panel_state(img.name)) continue;  // drawn by the diagram
    if (view_ && view_->shows(img.name)) continue;
    const float h = std::min(160.0f, pw);
    if (!place(h)) continue;
    draw_heatmap(img, ImVec2(pw, h));
    ImGui::EndGroup();
  }
  if (t.series().empty() && t.rasters().empty() && t.images().empty() && input_.rows == 0)
    ImGui::TextDisabled("press Run (or Step): plots appear with the first step");
  views_overflow_ = overflow_of_current_window();
}

}  // namespace soma::ui
