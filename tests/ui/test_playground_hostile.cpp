// Hostile queries on the playground (issue 19), as soma-gui --query and the web page pass them:
// each once threw out of state_json(), trapped or hung; now each leaves a message and a working
// playground.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "temp_dir.hpp"
#include "ui/playground.hpp"

using namespace soma;
using namespace soma::ui;

namespace {

PlaygroundOptions small_options() {
  PlaygroundOptions o;
  o.task_defaults = {{"memory", "samples=8&batch_size=4&seq_length=5&seq_periods=4"}};
  return o;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The state parses as JSON (what the page's soma.state() does) and the playground still steps.
nlohmann::json state_of(Playground& pg) {
  nlohmann::json j = nlohmann::json::parse(pg.state_json());
  pg.open_query("task=memory");
  pg.set_running(true);
  for (int i = 0; i < 3; ++i) pg.advance();
  CHECK(pg.message() == "");
  return j;
}

}  // namespace

TEST_CASE("playground hostile: model=%FF (invalid UTF-8) gives a message, state_json parses") {
  Playground pg(small_options());
  CHECK(!pg.open_query("task=memory&model=%FF"));
  CHECK(has(state_of(pg)["message"].get<std::string>(), "model"));
}

TEST_CASE("playground hostile: batch_size 2^63 - 1 is refused naming the parameter") {
  Playground pg(small_options());
  CHECK(!pg.open_query("task=memory&batch_size=9223372036854775807"));
  CHECK(has(pg.message(), "batch_size"));
  state_of(pg);
}

TEST_CASE("playground hostile: a batch too large for the machine fails setup with a message") {
  Playground pg(small_options());
  pg.open_query("task=memory");  // a working task first: its values must not step the next one
  pg.advance();
  // 10^9 steps x 8 samples x 100 floats: 3 TB natively (the page's 2 GiB fails at far less).
  pg.open_query(
      "task=memory&seq_length=10000&seq_periods=1000&seq_repetitions=100&samples=64&batch_size=8");
  CHECK(has(pg.message(), "this machine can hold"));
  CHECK(!pg.running());
  const int64_t steps = nlohmann::json::parse(pg.state_json())["steps"].get<int64_t>();
  for (int i = 0; i < 3; ++i) pg.advance();
  CHECK(nlohmann::json::parse(pg.state_json())["steps"].get<int64_t>() == steps);
  state_of(pg);
}

TEST_CASE("playground hostile: a query over 64 KiB is refused, not parsed") {
  Playground pg(small_options());
  CHECK(!pg.open_query("task=memory&seed=" + std::string(1 << 20, '1')));
  CHECK(has(pg.message(), "at most 65536"));
  state_of(pg);
}

TEST_CASE("playground hostile: params_file=/dev/urandom and a deep params file fail cleanly") {
  Playground pg(small_options());
  pg.open_query("task=microcircuit&params_file=/dev/urandom");
  CHECK(has(pg.message(), "/dev/urandom: a device"));
  state_of(pg);
  test::TempDir dir;
  const std::string deep = dir.file(
      "deep.json", "{\"layers\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  pg.open_query("task=microcircuit&params_file=" + deep);
  CHECK(has(pg.message(), "levels deep"));
  state_of(pg);
}
