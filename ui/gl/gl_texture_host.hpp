#pragma once
// ui/pixels.hpp's TextureHost over OpenGL: the desktop's OpenGL 3.3 and the web's WebGL2 (GLES 3).
// Compiled into the two apps only (native/, web/), never into soma_ui, so the headless ui tests
// need no GL. Needs the GL context current on the drawing thread; leaves its texture bound.
#include <map>
#include <string>
#include <vector>

#include "ui/pixels.hpp"

namespace soma::ui {

class GlTextureHost : public TextureHost {
 public:
  GlTextureHost() = default;
  GlTextureHost(const GlTextureHost&) = delete;
  GlTextureHost& operator=(const GlTextureHost&) = delete;
  ~GlTextureHost() override;
  ImTextureID texture(const std::string& key, const Pixels& px) override;
  void end_frame() override;
  // Textures uploaded since start-up (the browser test: a raster that did not change is not
  // uploaded again).
  long uploads() const { return uploads_; }

 private:
  struct Entry {
    unsigned id = 0;
    int w = 0, h = 0;
    std::vector<ImU32> rgba;  // what the texture holds
    bool used = false;        // asked for this frame
  };
  std::map<std::string, Entry> entries_;
  long uploads_ = 0;
};

}  // namespace soma::ui
