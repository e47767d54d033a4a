#include "web/webgl_renderer.hpp"

#include <GLES3/gl3.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace soma::web {

namespace {

const char* kVertexShader = R"(#version 300 es
uniform mat4 projection;
layout(location = 0) in vec2 position;
layout(location = 1) in vec2 uv;
layout(location = 2) in vec4 colour;
out vec2 f_uv;
out vec4 f_colour;
void main() {
  f_uv = uv;
  f_colour = colour;
  gl_Position = projection * vec4(position, 0.0, 1.0);
})";

const char* kFragmentShader = R"(#version 300 es
precision mediump float;
uniform sampler2D picture;
in vec2 f_uv;
in vec4 f_colour;
out vec4 colour;
void main() { colour = f_colour * texture(picture, f_uv); })";

GLuint compile(GLenum kind, const char* source) {
  const GLuint s = glCreateShader(kind);
  glShaderSource(s, 1, &source, nullptr);
  glCompileShader(s);
  GLint ok = 0;  // read once at start-up, never per frame
  glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[512] = "";
    glGetShaderInfoLog(s, sizeof log, nullptr, log);
    std::fprintf(stderr, "WebGL shader: %s\n", log);
  }
  return s;
}

// FNV-1a over the frame's bytes: ~100 KB for the memory demo, a fraction of a millisecond.
struct Fnv {
  uint64_t h = 1469598103934665603ull;
  void add(const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  template <class T>
  void add(const T& v) {
    add(&v, sizeof v);
  }
};

uint64_t frame_hash(const ImDrawData& d, uint64_t textures_version) {
  Fnv f;
  f.add(textures_version);
  f.add(d.DisplayPos), f.add(d.DisplaySize), f.add(d.FramebufferScale);
  for (int n = 0; n < d.CmdListsCount; ++n) {
    const ImDrawList* list = d.CmdLists[n];
    f.add(list->VtxBuffer.Data, size_t(list->VtxBuffer.Size) * sizeof(ImDrawVert));
    f.add(list->IdxBuffer.Data, size_t(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      f.add(cmd.ClipRect), f.add(cmd.TextureId), f.add(cmd.IdxOffset), f.add(cmd.ElemCount);
      f.add(cmd.UserCallback);
    }
  }
  return f.h;
}

}  // namespace

WebGlRenderer::WebGlRenderer(ImVec4 background) : background_(background) {
  const GLuint vs = compile(GL_VERTEX_SHADER, kVertexShader);
  const GLuint fs = compile(GL_FRAGMENT_SHADER, kFragmentShader);
  program_ = glCreateProgram();
  glAttachShader(program_, vs);
  glAttachShader(program_, fs);
  glLinkProgram(program_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  projection_ = glGetUniformLocation(program_, "projection");
  texture_ = glGetUniformLocation(program_, "picture");
  glGenBuffers(1, &vertices_);
  glGenBuffers(1, &indices_);
  glGenVertexArrays(1, &layout_);
  glBindVertexArray(layout_);  // the attribute layout and the index buffer live in it
  glBindBuffer(GL_ARRAY_BUFFER, vertices_);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, indices_);
  const GLsizei stride = sizeof(ImDrawVert);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride, (void*)offsetof(ImDrawVert, pos));
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride, (void*)offsetof(ImDrawVert, uv));
  glEnableVertexAttribArray(2);
  glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, (void*)offsetof(ImDrawVert, col));
  glBindVertexArray(0);
}

bool WebGlRenderer::render(const ImDrawData& d, uint64_t textures_version) {
  const uint64_t h = frame_hash(d, textures_version);
  if (h == last_frame_) return false;
  last_frame_ = h;
  draw(d);
  return true;
}

void WebGlRenderer::draw(const ImDrawData& d) {
  const ImVec2 scale = d.FramebufferScale;
  const int fb_w = int(d.DisplaySize.x * scale.x), fb_h = int(d.DisplaySize.y * scale.y);
  if (fb_w <= 0 || fb_h <= 0) return;
  glViewport(0, 0, fb_w, fb_h);
  glDisable(GL_SCISSOR_TEST);
  glClearColor(background_.x, background_.y, background_.z, background_.w);
  glClear(GL_COLOR_BUFFER_BIT);
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_STENCIL_TEST);
  glEnable(GL_SCISSOR_TEST);
  // Display coordinates (top left DisplayPos, y down) to clip space.
  const float l = d.DisplayPos.x, r = l + d.DisplaySize.x, t = d.DisplayPos.y,
              b = t + d.DisplaySize.y;
  const float projection[16] = {2 / (r - l), 0, 0, 0,  0, 2 / (t - b),       0,
                                0,           0, 0, -1, 0, (r + l) / (l - r), (t + b) / (b - t),
                                0,           1};
  glUseProgram(program_);
  glUniformMatrix4fv(projection_, 1, GL_FALSE, projection);
  glUniform1i(texture_, 0);
  glActiveTexture(GL_TEXTURE0);
  glBindVertexArray(layout_);
  glBindBuffer(GL_ARRAY_BUFFER, vertices_);
  const GLenum index_type = sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT;
  ImTextureID bound = nullptr;
  for (int n = 0; n < d.CmdListsCount; ++n) {
    const ImDrawList* list = d.CmdLists[n];
    // New storage for each list (no wait for the draws that still read the previous one).
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(list->VtxBuffer.Size) * GLsizeiptr(sizeof(ImDrawVert)),
                 list->VtxBuffer.Data, GL_STREAM_DRAW);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER,
                 GLsizeiptr(list->IdxBuffer.Size) * GLsizeiptr(sizeof(ImDrawIdx)),
                 list->IdxBuffer.Data, GL_STREAM_DRAW);
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {  // none in the playground; ResetRenderState has nothing to reset
        if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(list, &cmd);
        continue;
      }
      const float x0 = (cmd.ClipRect.x - l) * scale.x, y0 = (cmd.ClipRect.y - t) * scale.y;
      const float x1 = (cmd.ClipRect.z - l) * scale.x, y1 = (cmd.ClipRect.w - t) * scale.y;
      if (x1 <= x0 || y1 <= y0) continue;
      glScissor(int(x0), int(float(fb_h) - y1), int(x1 - x0), int(y1 - y0));  // y up in GL
      if (cmd.GetTexID() != bound) {
        bound = cmd.GetTexID();
        glBindTexture(GL_TEXTURE_2D, GLuint(intptr_t(bound)));
      }
      glDrawElements(GL_TRIANGLES, GLsizei(cmd.ElemCount), index_type,
                     (void*)(intptr_t(cmd.IdxOffset) * intptr_t(sizeof(ImDrawIdx))));
    }
  }
  glBindVertexArray(0);
}

}  // namespace soma::web
