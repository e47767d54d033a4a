#pragma once
// What each playground demo opens with, TensorFlow Playground's article in miniature: two or
// three sentences of what it shows and what to watch, a "try this" hint, and the few controls
// shown up front (the rest sit under the "Advanced" fold). The longer text is docs/playground.md.
#include <string>
#include <vector>

namespace soma::ui {

struct DemoNote {
  std::string what;                   // what the demo shows and what to watch
  std::string try_this;               // one thing to change and what happens then
  std::vector<std::string> controls;  // parameter names shown up front, in this order
};

// nullptr for a task without a note (the desktop's CLI-only tasks): every parameter is shown.
const DemoNote* demo_note(const std::string& task);

}  // namespace soma::ui
