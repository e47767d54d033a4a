// The browser playground's options (ui/web_options.hpp), checked natively and headless (issue
// 18): URL values within what a tab affords, each rejected value named once with the rest
// applied, run=0 kept, a weights file that will not load falling back to the defaults, demos
// whose goal can be reached, and a layout that fits at 375, 900 and 1280 px.
#include <doctest/doctest.h>
#include <imgui.h>

#include <nlohmann/json.hpp>

#include "headless_imgui.hpp"
#include "tasks/microcircuit/microcircuit_task.hpp"
#include "tasks/registry.hpp"
#include "ui/demo_notes.hpp"
#include "ui/playground.hpp"
#include "ui/web_options.hpp"

using namespace soma;
using namespace soma::ui;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

nlohmann::json state(const Playground& p) {
  return nlohmann::json::parse(p.state_json());
}

}  // namespace

TEST_CASE("web playground: a size beyond what a tab affords is refused by name") {
  Playground p(web_options());
  p.open_query("task=memory&samples=100000000");
  CHECK(has(p.message(), "samples"));
  CHECK(p.values()->get_int("samples") == 64);  // the web's default
  CHECK(p.running());
  // Every integer but the seed has an upper bound (the page's sliders use it).
  for (const std::string& task : web_options().tasks) {
    Playground q(web_options());
    q.open(task);
    for (const ParamSpec& s : q.values()->table())
      if (s.type == ParamType::integer && s.name != "seed") CHECK_MESSAGE(s.max, task, s.name);
  }
}

TEST_CASE("web playground: each rejected value is named once, the others are applied") {
  Playground p(web_options());
  p.open_query("task=memory&learning_rate=banana&seed=3&steps_per_frame=abc&run=maybe&periods=6");
  const std::string m = p.message();
  CHECK(count(m, "learning_rate") == 1);
  CHECK(count(m, "steps_per_frame") == 1);
  CHECK(count(m, "'run'") == 1);
  CHECK(p.values()->get_int("seed") == 3);
  CHECK(p.values()->get_int("periods") == 6);
  CHECK(p.options().steps_per_frame == 8);
  CHECK(has(p.query(), "seed=3"));
}

TEST_CASE("web playground: device=cuda is refused in the browser, not trained on the CPU") {
  Playground p(web_options());
  p.open_query("task=memory&device=cuda&seed=4");
  CHECK(has(p.message(), "device"));
  CHECK(has(p.message(), "CPU"));
  CHECK(p.values()->get_string("device") == "cpu");
  CHECK(p.values()->get_int("seed") == 4);
}

TEST_CASE("web playground: run=0 stays in the URL, so a paused page reloads paused") {
  Playground p(web_options());
  p.open_query("task=memory&run=0");
  CHECK_FALSE(p.running());
  CHECK(has(p.query(), "run=0"));
  Playground again(web_options());
  again.open_query(p.query());
  CHECK_FALSE(again.running());
  again.set_running(true);
  CHECK_FALSE(has(again.query(), "run="));  // running is the page's default
}

TEST_CASE("web playground: weights that will not load fall back to the shipped ones") {
  HeadlessImGui gui;
  Playground p(web_options());
  p.open_query("task=digits&weights=nope.safetensors");
  CHECK(has(p.message(), "nope.safetensors"));
  CHECK(has(p.message(), "using the defaults"));
  CHECK(p.values()->get_string("weights") == "assets/mnist_demo/rec64.safetensors");
  CHECK(p.task()->telemetry().status == "draw a digit in the pad");  // set up, ready
}

TEST_CASE("web playground: cart-pole's solved threshold is reachable under its step cap") {
  Playground p(web_options());
  p.open("cartpole");
  CHECK(p.values()->get_float("reward_threshold") <
        double(p.values()->get_int("max_episode_steps")));
}

TEST_CASE("web playground: the microcircuit shows bw_only 5-20-10-20-5, angles falling per seed") {
  Playground p(web_options());
  p.open_query("task=microcircuit&chunk_ms=50");
  REQUIRE(p.message().empty());
  for (int i = 0; i < 8; ++i) p.step_once();  // 0.1 s settling, then 0.3 s of learning
  const Telemetry& t = p.task()->telemetry();
  // Pyramidal layers 20-10-20-5 over the 5 inputs: three hidden layers with an angle each.
  CHECK(t.find_image(MicrocircuitKeys::soma(1))->cols == 20);
  CHECK(t.find_image(MicrocircuitKeys::soma(2))->cols == 10);
  CHECK(t.find_image(MicrocircuitKeys::soma(4))->cols == 5);
  for (size_t layer = 1; layer <= 3; ++layer)
    for (size_t seed = 1; seed <= 3; ++seed) {
      const Series* s = t.find_series(MicrocircuitKeys::angle_of_seed(layer, seed));
      REQUIRE(s != nullptr);
      REQUIRE(s->y.size() > 10);
      INFO("layer " << layer << " seed " << seed << ": " << s->y.front() << " -> " << s->last());
      CHECK(s->y.front() > 75);  // unrelated at first: near 90 deg
      CHECK(s->y.front() < 105);
      CHECK(s->last() < s->y.front() - 0.5);  // and falling
    }
}

TEST_CASE("web playground: every demo opens with its notes and its chosen controls exist") {
  for (const std::string& task : web_options().tasks) {
    INFO(task);
    const DemoNote* note = demo_note(task);
    REQUIRE(note != nullptr);
    CHECK(!note->what.empty());
    CHECK(has(note->try_this, "Try"));
    Playground p(web_options());
    p.open(task);
    for (const std::string& c : note->controls) CHECK_MESSAGE(p.values()->table().find(c) >= 0, c);
  }
}

TEST_CASE("web playground: labels keep their width from the first frame, nothing overflows") {
  for (float width : {1280.0f, 900.0f, 375.0f}) {
    HeadlessImGui gui(width, 800);
    for (const std::string& task : web_options().tasks) {
      INFO(task << " at " << width << " px");
      Playground p(web_options());
      p.open(task);
      gui.frame(p);
      CHECK(state(p)["labels_clipped"].get<int>() == 0);
      for (int i = 0; i < 3; ++i) gui.frame(p);
      CHECK(state(p)["views_overflow"].get<float>() == 0);
    }
  }
}

TEST_CASE("web playground: saving a config is a passing notice, not an error") {
  HeadlessImGui gui;
  PlaygroundOptions o = web_options();
  o.files_dir = "/tmp/soma-ui-test";
  Playground p(o);
  p.open_query("task=memory&seed=9");
  p.save_config("/tmp/soma-ui-test/params.json");
  CHECK(p.message().empty());
  CHECK(has(p.notice(), "saved"));
  CHECK(state(p)["message"] == "");
}

TEST_CASE("web playground: runs go on until paused, not ending after a few hundred episodes") {
  for (const char* task : {"memory", "correlation", "cartpole", "cet-demo"}) {
    INFO(task);
    Playground p(web_options());
    p.open(task);
    const ParamValues& v = *p.values();
    const char* count = v.table().find("epochs") >= 0     ? "epochs"
                        : v.table().find("episodes") >= 0 ? "episodes"
                                                          : "training_steps";
    CHECK(v.get_int(count) >= 100000);
  }
}

TEST_CASE("web playground: the microcircuit's own task parameter survives the URL") {
  Playground p(web_options());
  p.open_query("task=microcircuit&task=fw_bw");
  CHECK(p.task_name() == "microcircuit");
  CHECK(p.values()->get_string("task") == "fw_bw");
  CHECK(p.query() == "task=microcircuit&task=fw_bw");
}
