#pragma once
// ImGui's draw data on WebGL2, setting the GL state each frame and never reading it back.
//
// Why not ImGui's own OpenGL3 backend: it saves and restores the GL state around every frame
// with glGetIntegerv, and in Chrome a query of the blend state is a round trip to the GPU
// process that waits for all work queued before it. Measured in headless Chromium (SwiftShader,
// AMD EPYC 2 cores under load): a page that only clears ran 25-34 fps, and one getParameter per
// frame held its main thread 26-37 ms, so the playground paid for the GPU's frame on its own
// thread before training or drawing the next. This page owns its context: nothing to restore.
// (The backend still creates the font texture.)
//
// A frame identical to the last one drawn (same vertices, indices, commands, textures, size) is
// not drawn again: the canvas keeps its picture and the browser composites nothing new. While a
// long training step runs only every few frames (ui/playground.hpp), the frames between cost
// the GPU process nothing.
#include <imgui.h>

#include <cstdint>

namespace soma::web {

class WebGlRenderer {
 public:
  explicit WebGlRenderer(ImVec4 background);  // needs the context current
  WebGlRenderer(const WebGlRenderer&) = delete;
  WebGlRenderer& operator=(const WebGlRenderer&) = delete;
  // Clears the current framebuffer (DisplaySize x FramebufferScale) and draws `d`, unless `d`
  // and `textures_version` (changed by any texture upload) equal the last frame's; returns
  // whether it drew.
  bool render(const ImDrawData& d, uint64_t textures_version);

 private:
  void draw(const ImDrawData& d);
  ImVec4 background_;
  unsigned program_ = 0, vertices_ = 0, indices_ = 0, layout_ = 0;
  int projection_ = -1, texture_ = -1;
  uint64_t last_frame_ = 0;  // hash of the last frame drawn
};

}  // namespace soma::web
