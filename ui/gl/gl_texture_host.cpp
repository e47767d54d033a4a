#include "ui/gl/gl_texture_host.hpp"

#if defined(__EMSCRIPTEN__)
#include <GLES3/gl3.h>
#else
#include <GL/gl.h>  // textures are OpenGL 1.1, which libGL exports itself
#endif

#include <cstdint>

namespace soma::ui {

GlTextureHost::~GlTextureHost() {
  for (auto& [key, e] : entries_) glDeleteTextures(1, &e.id);
}

ImTextureID GlTextureHost::texture(const std::string& key, const Pixels& px) {
  Entry& e = entries_[key];
  e.used = true;
  const bool fresh = e.id == 0 || e.w != px.w || e.h != px.h;
  if (!fresh && e.rgba == px.rgba) return ImTextureID(intptr_t(e.id));
  if (e.id == 0) {
    glGenTextures(1, &e.id);
    glBindTexture(GL_TEXTURE_2D, e.id);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  } else {
    glBindTexture(GL_TEXTURE_2D, e.id);
  }
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  if (fresh)
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, px.w, px.h, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 px.rgba.data());
  else
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, px.w, px.h, GL_RGBA, GL_UNSIGNED_BYTE, px.rgba.data());
  // Left bound: the renderer binds each draw's texture itself, and reading the binding back
  // would cost the web page a wait on the GPU process (web/webgl_renderer.hpp).
  e.w = px.w, e.h = px.h, e.rgba = px.rgba;
  ++uploads_;
  return ImTextureID(intptr_t(e.id));
}

void GlTextureHost::end_frame() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.used) {
      glDeleteTextures(1, &it->second.id);
      it = entries_.erase(it);
    } else {
      it->second.used = false;
      ++it;
    }
  }
}

}  // namespace soma::ui
