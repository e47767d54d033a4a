// soma-gui: the desktop playground, ui/ on GLFW + OpenGL 3. Runs every task registered, the full
// MNIST task included.
//   build/soma-gui                                   the picker opens on memory
//   build/soma-gui --query "task=cartpole&seed=3" --run
//   build/soma-gui --frames 30 --screenshot out.png  renders 30 frames, saves the last, exits
// Steps run on a worker thread (PlaygroundOptions::worker_thread): the window answers while a
// step takes seconds (an MNIST batch at the CLI defaults took 13 s, and so did each frame).
// With --frames, the last frame waits for the step in flight, and the output's second line says
// how long the longest frame before it took.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "core/backend/malloc_policy.hpp"
#include "core/backend/openmp_env.hpp"
#include "native/png_writer.hpp"
#include "ui/gl/gl_texture_host.hpp"
#include "ui/playground.hpp"

namespace {

void save_screenshot(const std::string& path, int w, int h) {
  std::vector<uint8_t> rgb(size_t(w) * size_t(h) * 3), flipped(rgb.size());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, rgb.data());
  const size_t row = size_t(w) * 3;  // OpenGL's rows run bottom to top
  for (int y = 0; y < h; ++y)
    std::copy_n(rgb.begin() + long(size_t(h - 1 - y) * row), row, flipped.begin() + long(y * row));
  soma::write_png_rgb(path, w, h, flipped);
}

}  // namespace

int main(int argc, char** argv) {
  soma::use_passive_openmp_wait(argv);
  soma::keep_freed_memory();
  CLI::App app{"soma-gui: the Soma playground on the desktop"};
  std::string query, screenshot;
  int frames = 0, width = 1400, height = 900;
  bool run = false;
  app.add_option("--query", query, "state as a URL query: task=memory&learning_rate=0.01&seed=3");
  app.add_flag("--run", run, "start running at once");
  app.add_option("--frames", frames, "render this many frames, then exit (0: until closed)");
  app.add_option("--screenshot", screenshot, "with --frames: save the last frame as a PNG");
  app.add_option("--width", width, "window width")->check(CLI::Range(320, 8192));
  app.add_option("--height", height, "window height")->check(CLI::Range(240, 8192));
  CLI11_PARSE(app, argc, argv);

  glfwSetErrorCallback(
      [](int code, const char* what) { std::fprintf(stderr, "GLFW error %d: %s\n", code, what); });
  if (!glfwInit()) return 1;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  GLFWwindow* win = glfwCreateWindow(width, height, "Soma playground", nullptr, nullptr);
  if (!win) {
    std::fprintf(stderr, "soma-gui: cannot open an OpenGL 3.3 window (no display?)\n");
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(win);
  glfwSwapInterval(frames > 0 ? 0 : 1);
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(win, true);
  ImGui_ImplOpenGL3_Init("#version 330");
  // Rasters and heat maps as textures; freed before the context goes.
  auto textures = std::make_unique<soma::ui::GlTextureHost>();
  soma::ui::set_texture_host(textures.get());

  soma::ui::PlaygroundOptions opt;
  opt.autorun = run;
  opt.steps_per_frame = 1;
  opt.frame_budget_ms = 30;
  opt.worker_thread = true;
  soma::ui::Playground pg(opt);
  pg.open_query(query);
  if (!pg.message().empty()) std::fprintf(stderr, "soma-gui: %s\n", pg.message().c_str());

  double longest_ms = 0;
  for (int frame = 0; !glfwWindowShouldClose(win) && (frames == 0 || frame < frames); ++frame) {
    const double t0 = soma::ui::now_ms();
    if (frames > 0 && frame == frames - 1) pg.wait_for_step();  // the screenshot shows it
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    pg.advance();
    pg.draw();
    ImGui::Render();
    int w, h;
    glfwGetFramebufferSize(win, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.06f, 0.06f, 0.065f, 1);  // ImGui's dark window background
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    textures->end_frame();
    if (frames > 0 && frame == frames - 1 && !screenshot.empty()) {
      save_screenshot(screenshot, w, h);
      std::printf("%s\nlongest frame %.1f ms\nwrote %s (%dx%d) after %d frames\n",
                  pg.state_json().c_str(), longest_ms, screenshot.c_str(), w, h, frames);
    }
    glfwSwapBuffers(win);
    if (frames == 0 || frame < frames - 1)
      longest_ms = std::max(longest_ms, soma::ui::now_ms() - t0);
  }
  soma::ui::set_texture_host(nullptr);
  textures.reset();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(win);
  glfwTerminate();
  return 0;
}
