#include <doctest/doctest.h>
#include <imgui.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/io/atomic_write.hpp"
#include "core/io/read_capped.hpp"
#include "core/nir/graph.hpp"
#include "headless_imgui.hpp"
#include "temp_dir.hpp"
#include "ui/playground.hpp"

using namespace soma;
using namespace soma::ui;

namespace {

PlaygroundOptions small_options() {
  PlaygroundOptions o;
  o.task_defaults = {{"memory", "samples=8&batch_size=4&period_length=5&periods=4"},
                     {"cartpole", "policy=ann&chunk=10&max_episode_steps=50"},
                     {"correlation", "seq_length=20&input_features=10"},
                     {"microcircuit", "chunk_ms=1"}};
  return o;
}

}  // namespace

TEST_CASE("playground: the query holds the state and round-trips") {
  Playground a(small_options());
  CHECK(a.open_query("task=memory&learning_rate=0.02&seed=3"));
  CHECK(a.message().empty());
  CHECK(a.task_name() == "memory");
  CHECK(a.values()->get_float("learning_rate") == 0.02);
  CHECK(a.values()->get_int("samples") == 8);  // the platform's default
  const std::string q = a.query();
  CHECK(q == "task=memory&seed=3&learning_rate=0.02");  // table order, only what differs
  Playground b(small_options());
  CHECK(b.open_query(q));
  CHECK(*b.values() == *a.values());
  CHECK(b.query() == q);
}

// The desktop playground checks the device as the CLI does: a task that has no CUDA path, or a
// build without CUDA, is refused with the CLI's message at setup, not failed (or run on the CPU)
// later.
TEST_CASE("playground: device=cuda is checked as on the command line") {
  Playground p(small_options());
  p.open_query("task=cartpole&device=cuda");
  CHECK(p.message().find("--device cuda: ") != std::string::npos);
  CHECK(p.open_query("task=cartpole&device=cpu"));
  CHECK(p.message().empty());
}

TEST_CASE("playground: a bad task or parameter is reported and the defaults are used") {
  Playground p(small_options());
  CHECK_FALSE(p.open_query("task=memory&learning_rate=banana"));
  CHECK(p.message().find("learning_rate") != std::string::npos);
  CHECK(p.query() == "task=memory");
  CHECK_FALSE(p.open_query("task=nope&seed=2"));
  CHECK(p.message().find("unknown task 'nope'") != std::string::npos);
  CHECK(p.task_name() == "memory");
  CHECK_FALSE(p.open_query("task=memory&bogus=1"));
  CHECK(p.message().find("bogus") != std::string::npos);
  CHECK_FALSE(p.open_query("task=memory&seed=%zz"));
  CHECK(p.open_query("task=cartpole&embed=1&run=0"));
  CHECK(p.embed());
  CHECK(p.query() == "task=cartpole&embed=1");
}

TEST_CASE("playground: steps are time-sliced and counted; reset starts over") {
  PlaygroundOptions o = small_options();
  o.steps_per_frame = 3;
  o.frame_budget_ms = 1e9;
  Playground p(o);
  p.open("cartpole");
  p.set_running(true);
  p.advance();
  CHECK(p.stats().steps == 3);
  p.set_running(false);
  p.advance();
  CHECK(p.stats().steps == 3);
  p.step_once();
  CHECK(p.stats().steps == 4);
  CHECK(p.stats().mean_ms > 0);
  p.reset();
  CHECK(p.stats().steps == 0);
}

TEST_CASE("playground: a step over its frame's budget is paid back by the frames after it") {
  // Issue 18: one slow step in every frame held the web page at the training's rate. Every real
  // step takes more than a nanosecond, so with this budget the frames after a step only draw.
  PlaygroundOptions o = small_options();
  o.steps_per_frame = 8;
  o.frame_budget_ms = 1e-6;
  Playground p(o);
  p.open("cartpole");
  p.set_running(true);
  p.advance();
  CHECK(p.stats().steps == 1);  // at least one step, then the budget is spent
  for (int i = 0; i < 5; ++i) p.advance();
  CHECK(p.stats().steps == 1);  // the overrun is far from paid back at 1e-6 ms a frame
}

TEST_CASE("playground: every panel draws for every task after a few steps") {
  HeadlessImGui gui;
  for (const char* task : {"memory", "cartpole", "correlation", "microcircuit", "digits", "dsqn"}) {
    INFO(task);
    Playground p(small_options());
    std::string q = std::string("task=") + task;
    if (std::string(task) == "digits") q += "&weights=assets/mnist_demo/rec64.safetensors";
    if (std::string(task) == "dsqn") q += "&net=assets/dsqn/dsqn.safetensors";
    p.open_query(q);
    p.set_running(true);
    for (int i = 0; i < 4; ++i) gui.frame(p);
    CHECK(p.message().empty());
    CHECK(ImGui::GetDrawData()->TotalVtxCount > 1000);
  }
}

TEST_CASE("playground: configs save and load; a checkpoint restores the task") {
  test::TempDir dir;
  Playground p(small_options());
  p.open_query("task=memory&seed=5&regularization_factor=0.5");
  p.save_config(dir / "params.json");
  Playground q(small_options());
  q.open("memory");
  q.load_config(dir / "params.json");
  CHECK(q.query() == p.query());
  p.step_once();
  p.save_checkpoint(dir / "ck");
  // A success is a notice beside the buttons, never the error message (issue 18: "saved ..."
  // showed in the page's error bar and again in the canvas, and never cleared).
  CHECK(p.notice().find("saved") == 0);
  CHECK(p.message().empty());
  q.load_checkpoint(dir / "ck");
  CHECK(q.notice().find("loaded") == 0);
  CHECK(q.message().empty());
  q.load_checkpoint(dir / "missing");
  CHECK(q.message().find("missing") != std::string::npos);
}

// What Import NIR does on the page (the file chooser's file) and natively: another seed's
// policy takes the exported weights, so both export the same network; a file that does not fit
// or is cut short is named in the message and leaves the task running.
TEST_CASE("playground: Import NIR sets the running task's network; bad files are named") {
  test::TempDir dir;
  const std::string a = dir / "a.nir", b = dir / "b.nir", c = dir / "c.nir";
  Playground p(small_options());
  p.open_query("task=cartpole&policy=snn&seed=7");
  p.step_once();
  p.export_nir(a);
  Playground q(small_options());
  q.open_query("task=cartpole&policy=snn&seed=8");
  q.step_once();
  q.export_nir(b);
  auto values = [](const std::string& file) {  // every field of every node, in name order
    std::vector<std::vector<double>> out;
    for (const auto& node : nir::read_file(file).nodes)
      for (const auto& field : node.second.fields) out.push_back(field.second.values);
    return out;
  };
  CHECK(values(a) != values(b));
  q.import_nir(a);
  CHECK_MESSAGE(q.message().empty(), q.message());
  CHECK(q.notice().find("loaded " + a + " (NIR, ") == 0);
  q.export_nir(c);
  CHECK(values(c) == values(a));
  const std::string bytes = read_file_capped(a, 1 << 24);
  write_file_atomic(dir / "cut.nir", bytes.substr(0, bytes.size() / 2));
  q.import_nir(dir / "cut.nir");
  CHECK(q.message().find("cut.nir: truncated") != std::string::npos);
  Playground m(small_options());
  m.open_query("task=memory&model=lif");
  m.import_nir(a);
  CHECK(m.message().find(a) != std::string::npos);
}

TEST_CASE("playground: Export NIR writes the network with its config; LSNN says why it cannot") {
  test::TempDir dir;
  const std::string file = dir / "out/cartpole.nir";
  Playground p(small_options());
  p.open_query("task=cartpole&policy=snn&seed=7");
  p.step_once();
  p.export_nir(file);
  CHECK_MESSAGE(p.message().empty(), p.message());
  CHECK(p.notice().find("saved " + file + " (NIR, ") == 0);
  REQUIRE(std::filesystem::exists(file));
  nir::Graph g = nir::read_file(file);
  CHECK(g.metadata.at("soma.task") == "cartpole");
  CHECK(nlohmann::json::parse(g.metadata.at("soma.config")).at("seed") == 7);
  CHECK(g.nodes.size() >= 3);
  Playground m(small_options());
  m.open_query("task=memory&model=lsnn");
  m.export_nir(dir / "memory.nir");
  CHECK(m.message().find("LSNN") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "memory.nir"));
}
