#pragma once
// One ImGui frame without a renderer: enough to run every panel's drawing code and to count what
// it would hand the renderer (ImDrawData's vertices). Shared by the ui tests.
#include <imgui.h>

#include "ui/playground.hpp"

namespace soma::ui {

struct HeadlessImGui {
  explicit HeadlessImGui(float w = 1280, float h = 800) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(w, h);
    io.IniFilename = nullptr;
    unsigned char* px;
    int tw, th;
    io.Fonts->GetTexDataAsRGBA32(&px, &tw, &th);
  }
  ~HeadlessImGui() { ImGui::DestroyContext(); }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;
  void frame(Playground& pg) {
    ImGui::GetIO().DeltaTime = 1.0f / 60;
    ImGui::NewFrame();
    pg.advance();
    pg.draw();
    ImGui::Render();
    pg.note_frame(0, 0);  // what a platform reports after rendering: the frame's vertex counts
  }
};

}  // namespace soma::ui
