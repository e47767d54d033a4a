// What the panels hand the renderer (issue 18: the web page's frame rate under a software WebGL
// follows the vertices it draws): a spike raster or a heat map is one textured quad where the
// platform has textures and merged rectangles where it has not, a plot of 10^5 points costs what
// its width costs, a noisy series is drawn faint under its moving average (TensorBoard's
// smoothing), and the memory demo's whole frame stays within a few thousand vertices.
#include <doctest/doctest.h>
#include <imgui.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "headless_imgui.hpp"
#include "ui/pixels.hpp"
#include "ui/plot_panel.hpp"
#include "ui/raster_panel.hpp"
#include "ui/web_options.hpp"

using namespace soma;
using namespace soma::ui;

namespace {

// Stands in for the platform's GL textures: counts uploads.
struct FakeTextures : TextureHost {
  std::map<std::string, int> uploads;
  std::map<std::string, Pixels> last;
  ImTextureID texture(const std::string& key, const Pixels& px) override {
    auto it = last.find(key);
    if (it == last.end() || it->second.rgba != px.rgba || it->second.w != px.w) {
      ++uploads[key];
      last[key] = px;
    }
    return ImTextureID(intptr_t(7));
  }
  void end_frame() override {}
};

struct UseTextures {
  explicit UseTextures(TextureHost* h) { set_texture_host(h); }
  ~UseTextures() { set_texture_host(nullptr); }
};

// The vertices `draw` adds to one window's draw list in a frame.
template <class Draw>
int vertices_of(Draw draw) {
  ImGui::GetIO().DeltaTime = 1.0f / 60;
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
  ImGui::Begin("panel", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const int before = dl->VtxBuffer.Size;
  draw();
  const int n = dl->VtxBuffer.Size - before;
  ImGui::End();
  ImGui::Render();
  return n;
}

Raster raster(int64_t steps, int64_t neurons, double rate, uint32_t seed) {
  Raster r{"hidden spikes", steps, neurons, {}};
  std::mt19937 gen(seed);
  std::bernoulli_distribution fire(rate);
  for (int64_t k = 0; k < steps * neurons; ++k) r.spikes.push_back(fire(gen) ? 1 : 0);
  return r;
}

// Indices the last frame draws with the fake texture (FakeTextures' id).
unsigned textured_indices() {
  unsigned n = 0;
  const ImDrawData* d = ImGui::GetDrawData();
  for (int i = 0; i < d->CmdListsCount; ++i)
    for (const ImDrawCmd& c : d->CmdLists[i]->CmdBuffer)
      if (c.GetTexID() == ImTextureID(intptr_t(7))) n += c.ElemCount;
  return n;
}

// Which colours the current frame's vertices have, and how many of each.
std::map<ImU32, int> colours() {
  std::map<ImU32, int> out;
  const ImDrawData* d = ImGui::GetDrawData();
  for (int i = 0; i < d->CmdListsCount; ++i)
    for (const ImDrawVert& v : d->CmdLists[i]->VtxBuffer) ++out[v.col];
  return out;
}

}  // namespace

TEST_CASE("panels: a spike raster is one textured quad where the platform has textures") {
  HeadlessImGui gui;
  const Raster busy = raster(100, 20, 0.3, 1), quiet = raster(100, 20, 0.0, 1);
  FakeTextures host;
  {
    UseTextures use(&host);
    const int frame = vertices_of([&] { draw_raster(quiet, ImVec2(500, 140)); });
    CHECK(vertices_of([&] { draw_raster(busy, ImVec2(500, 140)); }) == frame);
    CHECK(textured_indices() == 6);  // the spikes: one quad, two triangles
    vertices_of([&] { draw_raster(busy, ImVec2(500, 140)); });
    CHECK(host.uploads["hidden spikes"] == 2);  // quiet, busy; the same busy picture: no upload
  }
  // Without textures: one rectangle per run of neighbouring spikes in a neuron's row (before:
  // one per binned spike, ~600 here).
  const int frame = vertices_of([&] { draw_raster(quiet, ImVec2(500, 140)); });
  const int rects = (vertices_of([&] { draw_raster(busy, ImVec2(500, 140)); }) - frame) / 4;
  int runs = 0;
  for (int64_t n = 0; n < busy.neurons; ++n)
    for (int64_t t = 0; t < busy.steps; ++t)
      runs += busy.spikes[size_t(t * busy.neurons + n)] &&
              (t == 0 || !busy.spikes[size_t((t - 1) * busy.neurons + n)]);
  MESSAGE("raster 100 x 20 at 30%: " << rects << " rectangles for " << runs << " runs");
  CHECK(rects == runs);
  const Raster all = raster(100, 20, 1.0, 1);
  CHECK(vertices_of([&] { draw_raster(all, ImVec2(500, 140)); }) - frame == 20 * 4);
}

TEST_CASE("panels: rectangles merge along a row and across repeated rows") {
  HeadlessImGui gui;
  Pixels px(10, 6);
  const ImU32 on = IM_COL32(255, 255, 255, 255);
  for (int y = 0; y < 3; ++y)
    for (int x = 2; x < 8; ++x) px.at(x, y) = on;  // one block: one rectangle
  for (int y = 3; y < 6; ++y) px.at(y, y) = on;    // a diagonal: three
  CHECK(vertices_of([&] { draw_pixels("p", px, ImVec2(0, 0), ImVec2(100, 60)); }) == 4 * 4);
}

TEST_CASE("panels: a heat map is one textured quad, uploaded again only when it changes") {
  HeadlessImGui gui;
  FakeTextures host;
  UseTextures use(&host);
  Image img{"weights", 30, 40, std::vector<float>(1200)};
  for (size_t k = 0; k < img.values.size(); ++k) img.values[k] = std::sin(float(k));
  const int a = vertices_of([&] { draw_heatmap(img, ImVec2(400, 160)); });
  CHECK(textured_indices() == 6);  // 30 x 40 cells, one quad (before: 1,200 quads)
  const int b = vertices_of([&] { draw_heatmap(img, ImVec2(400, 160)); });
  CHECK(a == b);
  CHECK(host.uploads["weights"] == 1);
  img.values[0] = 5;
  vertices_of([&] { draw_heatmap(img, ImVec2(400, 160)); });
  CHECK(host.uploads["weights"] == 2);
  CHECK(host.last["weights"].w == 40);
  CHECK(host.last["weights"].h == 30);
}

TEST_CASE("plots: 100,000 points cost what the plot's width costs") {
  HeadlessImGui gui;
  Series s{"loss", {}, {}, {}};
  std::mt19937 gen(3);
  std::normal_distribution<double> noise(0, 0.1);
  for (int i = 0; i < 100000; ++i)
    s.x.push_back(i), s.y.push_back(1.0 / (1 + i * 1e-3) + noise(gen));
  Series few = s;
  few.x.resize(2), few.y.resize(2);
  const float width = 500;
  const int many = vertices_of([&] { draw_plot(s, {}, ImVec2(width, 140)); });
  const int two = vertices_of([&] { draw_plot(few, {}, ImVec2(width, 140)); });
  MESSAGE("plot of 10^5 points " << many << " vertices, of 2 points " << two);
  // The line: two vertices per pixel column of the plot area (narrower than the panel).
  CHECK(many - two <= 2 * int(width));
  CHECK(many - two >= int(width));  // ... and it is drawn
}

TEST_CASE("plots: a noisy series is drawn faint under its moving average") {
  HeadlessImGui gui;
  Series s{"loss", {}, {}, {"step", "loss", true, ""}};
  std::mt19937 gen(5);
  std::normal_distribution<double> noise(0, 0.2);
  for (int i = 0; i < 300; ++i) s.x.push_back(i), s.y.push_back(std::exp(-i / 100.0) + noise(gen));
  const ImU32 line = palette(0),
              faint = (line & ~IM_COL32_A_MASK) | (ImU32(70) << IM_COL32_A_SHIFT);
  vertices_of([&] { draw_plot(s, {}, ImVec2(500, 140), 0.6); });
  std::map<ImU32, int> c = colours();
  CHECK(c[faint] > 0);
  CHECK(c[line] > 0);
  vertices_of([&] { draw_plot(s, {}, ImVec2(500, 140), 0.0); });  // smoothing off: the raw line
  c = colours();
  CHECK(c[faint] == 0);
  CHECK(c[line] > 0);
  s.style.smooth = false;  // a series not marked noisy is never smoothed
  vertices_of([&] { draw_plot(s, {}, ImVec2(500, 140), 0.6); });
  CHECK(colours()[faint] == 0);
}

TEST_CASE("smoothing: TensorBoard's debiased exponential moving average") {
  const std::vector<double> flat(20, 5.0);
  for (double v : smooth_ema(flat, 0.9)) CHECK(v == doctest::Approx(5.0));  // no pull towards 0
  const std::vector<double> step{0, 10};
  const std::vector<double> m = smooth_ema(step, 0.5);
  CHECK(m[0] == doctest::Approx(0));
  CHECK(m[1] == doctest::Approx(5.0 / 0.75));  // (0.5 * 0 + 0.5 * 10) / (1 - 0.25)
  const std::vector<double> gap = smooth_ema({1, NAN, 3}, 0.0);  // weight 0: the raw values
  CHECK(gap[0] == 1);
  CHECK(std::isnan(gap[1]));
  CHECK(gap[2] == 3);
  // The plots extend their smoothed copy as points arrive; it equals smoothing the whole.
  Series s{"growing", {}, {}, {"step", "loss", true, ""}};
  for (int i = 0; i < 50; ++i) {
    s.x.push_back(i), s.y.push_back(std::cos(i * 0.7));
    const std::vector<double> whole = smooth_ema(s.y, 0.6);
    const std::vector<double>& part = smoothed(s, 0.6);
    REQUIRE(part.size() == whole.size());
    CHECK(part.back() == doctest::Approx(whole.back()));
  }
}

TEST_CASE(
    "playground: the memory demo's frame at 1280 x 800 stays within a few thousand vertices") {
  HeadlessImGui gui;
  FakeTextures host;
  UseTextures use(&host);
  Playground p(web_options());
  p.open("memory");
  for (int i = 0; i < 6; ++i) gui.frame(p);
  const nlohmann::json s = nlohmann::json::parse(p.state_json());
  MESSAGE("memory demo: " << s["vertices"] << " vertices, " << s["indices"] << " indices, "
                          << s["draw_calls"] << " draw calls after " << s["steps"] << " steps");
  CHECK(s["steps"].get<int>() > 0);
  CHECK(s["vertices"].get<int>() < 12000);
}

TEST_CASE("panels: a long x label on a narrow chart leaves its x tick labels drawn") {
  // A glyph is a quad; a space draws none. So a label adds 4 vertices per visible character,
  // unless it pushes tick labels out (before: the cart-pole trace's "environment step" on a
  // 220-pixel chart left no x tick labelled).
  HeadlessImGui gui;
  const PanelRect frame{ImVec2(10, 10), ImVec2(230, 150)};
  const AxisRange range{0, 100, -1, 1};
  const std::string label = "environment step";
  const int none = vertices_of([&] { draw_axes(frame, range, ""); });
  const int with = vertices_of([&] { draw_axes(frame, range, label); });
  int glyphs = 0;
  for (char c : label) glyphs += c != ' ';
  CHECK(with - none == 4 * glyphs);
}
