#pragma once
// Pictures made of cells (spike rasters, weight heat maps, the drawing pad) handed to the
// renderer as one textured quad each, where the platform can upload textures (the web's WebGL2,
// the desktop's OpenGL); headless, or before a platform sets a TextureHost, as one rectangle per
// run of equal cells, rows that repeat merged into one band.
//
// Why: under a software WebGL (SwiftShader, what a browser without a GPU falls back to) the
// frame's cost follows the vertices and triangles it is handed. A 20 x 100 spike raster drawn as
// one rectangle per binned spike was ~2,000 rectangles (8,000 vertices) every frame; as a
// texture it is 4 vertices, and the upload happens only when the picture changed.
#include <imgui.h>

#include <string>
#include <vector>

namespace soma::ui {

// w x h pixels, row-major, packed as IM_COL32 packs them (RGBA bytes in memory on a little-endian
// machine); a pixel with alpha 0 is not drawn.
struct Pixels {
  int w = 0, h = 0;
  std::vector<ImU32> rgba;
  Pixels() = default;
  Pixels(int width, int height, ImU32 fill = 0)
      : w(width), h(height), rgba(size_t(width) * size_t(height), fill) {}
  ImU32& at(int x, int y) { return rgba[size_t(y) * size_t(w) + size_t(x)]; }
};

// The platform's textures, one per key (a panel's name). Implemented over OpenGL by
// ui/gl/gl_texture_host.cpp for the desktop and the web.
class TextureHost {
 public:
  virtual ~TextureHost() = default;
  // The texture holding `px` for `key`, uploaded only when the pixels differ from the last
  // upload for that key. Drawn with nearest-neighbour sampling, so cells stay crisp.
  virtual ImTextureID texture(const std::string& key, const Pixels& px) = 0;
  // Called once per frame after rendering: frees the textures no panel asked for this frame.
  virtual void end_frame() = 0;
};

// The host the panels draw through (nullptr: rectangles). Set by the platform at start-up.
void set_texture_host(TextureHost* host);
TextureHost* texture_host();

// Draws `px` stretched over [a, b] into the current window's draw list.
void draw_pixels(const std::string& key, const Pixels& px, ImVec2 a, ImVec2 b);

}  // namespace soma::ui
