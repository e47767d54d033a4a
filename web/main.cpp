// The browser playground: ui/ on Emscripten's GLFW (WebGL2), one thread. Each animation frame
// runs a time-sliced share of training steps (PlaygroundOptions::frame_budget_ms), then draws.
// The whole state lives in the URL: ?task=memory&learning_rate=0.01&seed=3, &embed=1 hides the
// chrome; every change is written back with history.replaceState. A bad parameter is shown on the
// page (Module.onSomaMessage) and the defaults are used instead.
//
// For tests and embedding pages, exported C functions (index.html wraps them as window.soma):
//   soma_state()      JSON: task, steps, running, message, query, series (n, last), ...
//   soma_run(on)      run or pause
//   soma_open(query)  open another state, as if the URL were ?query
//   soma_file_chosen(kind, path)  loads a config, checkpoint or NIR file written into the file
//                                 system (kind: config, checkpoint, nir)
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <string>

#include "ui/gl/gl_texture_host.hpp"
#include "ui/playground.hpp"
#include "ui/web_options.hpp"
#include "web/webgl_renderer.hpp"

namespace {

EM_JS(char*, js_location_query, (), {
  var q = window.location.search.substring(1);
  var n = lengthBytesUTF8(q) + 1, p = _malloc(n);
  stringToUTF8(q, p, n);
  return p;
});
EM_JS(void, js_set_query, (const char* q),
      { history.replaceState(null, "", "?" + UTF8ToString(q)); });
EM_JS(void, js_message, (const char* m), {
  if (Module.onSomaMessage) Module.onSomaMessage(UTF8ToString(m));
});
EM_JS(void, js_download, (const char* path), {
  var p = UTF8ToString(path), a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([FS.readFile(p)]));
  a.download = p.split('/').pop();
  a.click();
});
// A file chooser; the chosen file's bytes go to window.soma.load (index.html: the file system,
// then soma_file_chosen), as a dropped file's do.
EM_JS(void, js_choose_file, (const char* kind), {
  var k = UTF8ToString(kind), input = document.createElement('input');
  input.type = 'file';
  input.accept = {config : '.json', checkpoint : '.safetensors', nir : '.nir,.h5,.hdf5'}[k];
  input.onchange = function() {
    var f = input.files[0];
    if (f) f.arrayBuffer().then(function(buf) { window.soma.load(k, buf); });
  };
  input.click();
});
// The wheel: Emscripten 3.1.6's GLFW hands the scroll callback the event's raw deltaX/deltaY
// (pixels, positive downwards), so the page scrolled backwards and ~100x too far. index.html's
// listener, which runs before GLFW's, keeps the last event in notches (100 px or 3 lines each,
// as Emscripten's own Browser.getMouseWheelDelta counts them) with GLFW's sign (up positive).
EM_JS(double, js_wheel_x, (), { return Module.somaWheel ? Module.somaWheel[0] : 0; });
EM_JS(double, js_wheel_y, (), { return Module.somaWheel ? Module.somaWheel[1] : 0; });
EM_JS(double, js_pixel_ratio, (), { return window.devicePixelRatio || 1; });
// A finger's vertical drag since the last frame (CSS px, up positive: the list moves up),
// collected by index.html's touch listeners.
EM_JS(double, js_take_touch_scroll, (), {
  var dy = Module.somaTouchScroll || 0;
  Module.somaTouchScroll = 0;
  return dy;
});
EM_JS(int, js_canvas_width, (), { return Module.canvas.clientWidth || window.innerWidth; });
EM_JS(int, js_canvas_height, (), { return Module.canvas.clientHeight || window.innerHeight; });
// The first frame of the playground handed to the browser (the page's first paint, its header
// and loading bar, is index.html's somaFirstPaintMs): what a first visit waits for.
EM_JS(void, js_first_frame, (), {
  if (!window.somaFirstFrameMs) window.somaFirstFrameMs = performance.now();
});

soma::ui::Playground* g_playground = nullptr;
soma::web::WebGlRenderer* g_renderer = nullptr;
soma::ui::GlTextureHost* g_textures = nullptr;
GLFWwindow* g_window = nullptr;
std::string g_state, g_message;

void report() {
  if (g_playground->message() != g_message) {
    g_message = g_playground->message();
    js_message(g_message.c_str());
  }
}

void on_scroll(GLFWwindow* w, double, double) {
  ImGui_ImplGlfw_ScrollCallback(w, js_wheel_x(), js_wheel_y());
}

double g_font_ratio = 0;

// High-DPI screens: the canvas holds devicePixelRatio device pixels per CSS pixel (GLFW's window
// is the backing store, and Emscripten scales the mouse into it); ImGui lays out in CSS pixels
// and draws at the device's, with its font rasterised at that size so text stays crisp.
void use_pixel_ratio(double ratio) {
  if (ratio == g_font_ratio) return;
  g_font_ratio = ratio;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig font;
  font.SizePixels = float(13 * ratio);
  io.Fonts->AddFontDefault(&font);
  io.FontGlobalScale = float(1 / ratio);
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

void frame() {
  const double ratio = std::clamp(std::round(js_pixel_ratio() * 4) / 4, 1.0, 3.0);
  const int css_w = js_canvas_width(), css_h = js_canvas_height();
  int w = int(css_w * ratio), h = int(css_h * ratio), cw, ch;
  glfwGetWindowSize(g_window, &cw, &ch);
  if (w > 0 && h > 0 && (w != cw || h != ch)) glfwSetWindowSize(g_window, w, h);
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  use_pixel_ratio(ratio);
  ImGui_ImplGlfw_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(css_w), float(css_h));
  io.DisplayFramebufferScale = ImVec2(float(ratio), float(ratio));
  if (io.MousePos.x > -FLT_MAX)
    io.MousePos = ImVec2(io.MousePos.x / float(ratio), io.MousePos.y / float(ratio));
  ImGui::NewFrame();
  g_playground->scroll_by_touch(float(js_take_touch_scroll()));
  g_playground->advance();
  const double t0 = soma::ui::now_ms();
  g_playground->draw();
  ImGui::Render();
  const double t1 = soma::ui::now_ms();
  // Unchanged frames (a paused page, the frames between two long training steps) are not drawn.
  const bool drawn = g_renderer->render(*ImGui::GetDrawData(), uint64_t(g_textures->uploads()));
  g_textures->end_frame();
  g_playground->note_frame(soma::ui::now_ms() - t0, t1 - t0, drawn);  // the browser test reads it
  if (drawn) js_first_frame();
  report();
}

}  // namespace

extern "C" {
EMSCRIPTEN_KEEPALIVE const char* soma_state() {
  g_state = g_playground ? g_playground->state_json() : "{}";
  return g_state.c_str();
}
EMSCRIPTEN_KEEPALIVE void soma_run(int on) {
  if (g_playground) g_playground->set_running(on != 0);
}
EMSCRIPTEN_KEEPALIVE void soma_file_chosen(const char* kind, const char* path) {
  if (!g_playground) return;
  std::string p = path;
  const std::string k = kind;
  if (k == "config")
    g_playground->load_config(p);
  else if (k == "nir")
    g_playground->import_nir(p);
  else
    g_playground->load_checkpoint(p.substr(0, p.rfind('/')));
  report();
}
// What Files -> Save config does, for tests.
EMSCRIPTEN_KEEPALIVE void soma_save_config() {
  if (!g_playground) return;
  g_playground->save_config(g_playground->options().files_dir + "/params.json");
  report();
}
// What Files -> Export NIR does, for tests and embedding pages.
EMSCRIPTEN_KEEPALIVE void soma_export_nir() {
  if (!g_playground) return;
  g_playground->export_nir(g_playground->options().files_dir + "/" + g_playground->task_name() +
                           ".nir");
  report();
}
EMSCRIPTEN_KEEPALIVE void soma_open(const char* query) {
  if (!g_playground) return;
  g_playground->open_query(query);
  report();
}
}

int main() {
  if (!glfwInit()) return 1;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  // No depth, stencil or alpha: ImGui needs none, and an opaque canvas is cheaper to composite.
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  glfwWindowHint(GLFW_ALPHA_BITS, 0);
  g_window = glfwCreateWindow(js_canvas_width(), js_canvas_height(), "Soma", nullptr, nullptr);
  if (!g_window) return 1;
  glfwMakeContextCurrent(g_window);
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(g_window, true);
  glfwSetScrollCallback(g_window, on_scroll);  // replaces the backend's, calls it normalised
  ImGui_ImplOpenGL3_Init("#version 300 es");   // the font texture; web/webgl_renderer draws
  static soma::web::WebGlRenderer renderer(ImVec4(0.06f, 0.06f, 0.065f, 1));  // ImGui's dark
  static soma::ui::GlTextureHost textures;
  g_renderer = &renderer;
  g_textures = &textures;
  soma::ui::set_texture_host(&textures);

  soma::ui::PlaygroundOptions opt = soma::ui::web_options();
  soma::ui::PlatformHooks hooks;
  hooks.state_changed = [](const std::string& q) { js_set_query(q.c_str()); };
  hooks.offer_file = [](const std::string& path) { js_download(path.c_str()); };
  hooks.choose_file = [](const std::string& kind) { js_choose_file(kind.c_str()); };
  static soma::ui::Playground playground(opt, hooks);
  g_playground = &playground;
  char* q = js_location_query();
  playground.open_query(q);
  std::free(q);
  report();
  emscripten_set_main_loop(frame, 0, true);
  return 0;
}
