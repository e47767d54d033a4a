#include "ui/param_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace soma::ui {
namespace {

bool logarithmic(const ParamSpec& s) {
  return *s.min > 0 && *s.max / *s.min > 100;
}

bool draw_number(ParamValues& v, const ParamSpec& s) {
  const bool bounded = s.min && s.max;
  if (s.type == ParamType::integer) {
    int64_t x = v.get_int(s.name);
    bool changed;
    if (bounded && *s.max - *s.min <= 100000) {
      int64_t lo = int64_t(*s.min), hi = int64_t(*s.max);
      changed = ImGui::SliderScalar("##v", ImGuiDataType_S64, &x, &lo, &hi, "%lld",
                                    logarithmic(s) ? ImGuiSliderFlags_Logarithmic : 0);
    } else {
      changed = ImGui::InputScalar("##v", ImGuiDataType_S64, &x, nullptr, nullptr, "%lld",
                                   ImGuiInputTextFlags_EnterReturnsTrue);
    }
    if (!changed) return false;
    if (s.min) x = std::max<int64_t>(x, int64_t(std::ceil(*s.min)));
    if (s.max) x = std::min<int64_t>(x, int64_t(std::floor(*s.max)));
    v.set(s.name, x);
    return true;
  }
  double x = v.get_float(s.name);
  bool changed;
  if (bounded) {
    changed = ImGui::SliderScalar("##v", ImGuiDataType_Double, &x, &*s.min, &*s.max, "%.4g",
                                  logarithmic(s) ? ImGuiSliderFlags_Logarithmic : 0);
  } else {
    changed = ImGui::InputDouble("##v", &x, 0, 0, "%.6g", ImGuiInputTextFlags_EnterReturnsTrue);
  }
  if (!changed || !std::isfinite(x)) return false;
  if (s.min) x = std::max(x, *s.min);
  if (s.max) x = std::min(x, *s.max);
  v.set(s.name, x);
  return true;
}

bool draw_value(ParamValues& v, const ParamSpec& s) {
  switch (s.type) {
    case ParamType::boolean: {
      bool b = v.get_bool(s.name);
      if (!ImGui::Checkbox("##v", &b)) return false;
      v.set(s.name, b);
      return true;
    }
    case ParamType::choice: {
      const std::string& cur = v.get_string(s.name);
      bool changed = false;
      if (ImGui::BeginCombo("##v", cur.c_str())) {
        for (const std::string& c : s.choices)
          if (ImGui::Selectable(c.c_str(), c == cur) && c != cur) {
            v.set(s.name, c);
            changed = true;
          }
        ImGui::EndCombo();
      }
      return changed;
    }
    case ParamType::string: {
      char buf[512];
      std::snprintf(buf, sizeof buf, "%s", v.get_string(s.name).c_str());
      if (!ImGui::InputText("##v", buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue))
        return false;
      v.set(s.name, std::string(buf));
      return true;
    }
    default:
      return draw_number(v, s);
  }
}

}  // namespace

bool draw_param_panel(ParamValues& pending, const ParamValues* applied,
                      const std::vector<const ParamSpec*>& rows, const char* id, int* clipped) {
  bool changed = false;
  if (clipped) *clipped = 0;
  if (rows.empty() || !ImGui::BeginTable(id, 2, ImGuiTableFlags_SizingStretchProp)) return false;
  // The widest label plus its restart mark; a fixed column measured only after its first frame
  // drew every label one letter wide for that frame.
  float label_w = 0;
  for (const ParamSpec* s : rows)
    label_w = std::max(label_w, ImGui::CalcTextSize(s->name.c_str()).x +
                                    (s->restart ? ImGui::CalcTextSize(" R*").x + 4 : 0));
  label_w = std::min(label_w, ImGui::GetContentRegionAvail().x * 0.55f);
  ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthFixed, label_w);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  for (const ParamSpec* sp : rows) {
    const ParamSpec& s = *sp;
    ImGui::PushID(s.name.c_str());
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    if (clipped && ImGui::CalcTextSize(s.name.c_str()).x > ImGui::GetContentRegionAvail().x + 0.5f)
      ++*clipped;
    const bool waiting = s.restart && applied && !(applied->get(s.name) == pending.get(s.name));
    if (waiting) ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 200, 80, 255));
    ImGui::TextUnformatted(s.name.c_str());
    bool hovered = ImGui::IsItemHovered();
    if (s.restart) {
      ImGui::SameLine(0, 4);
      ImGui::TextDisabled(waiting ? "R*" : "R");
      hovered |= ImGui::IsItemHovered();
    }
    if (waiting) ImGui::PopStyleColor();
    if (hovered)
      ImGui::SetTooltip("%s\n%s%s", s.help.c_str(), s.constraint().c_str(),
                        s.restart ? "\nR: applied on reset" : "");
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(-FLT_MIN);
    try {
      changed |= draw_value(pending, s);
    } catch (const std::exception&) {
      // A value the table rejects (a typed integer out of range) is simply not taken.
    }
    ImGui::PopID();
  }
  ImGui::EndTable();
  return changed;
}

}  // namespace soma::ui
