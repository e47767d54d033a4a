#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/params/param_cli.hpp"
#include "core/params/param_json.hpp"
#include "temp_dir.hpp"

using namespace soma;
namespace fs = std::filesystem;

namespace {

ParamTable make_table() {
  ParamTable t;
  t.add_float("learning_rate", 2e-3, "Adam step size").range(1e-6, 1);
  t.add_int("batch_size", 32, "samples per step").min(1).restart();
  t.add_bool("verbose", false, "print progress");
  t.add_string("run_dir", "runs", "output folder");
  t.add_choice("neuron", "lif", {"lif", "alif", "izhikevich"}, "neuron model").restart();
  return t;
}

// A fresh folder under the system temp dir, removed with everything in it.
using test::TempDir;

// The message of the ParamError that `f` throws; fails the test if it throws none.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ParamError& e) {
    return e.what();
  }
  FAIL("expected a ParamError");
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Parses argv-style arguments (the program name is added) into `values`.
void parse_cli(ParamValues& values, std::vector<std::string> args, std::string* help = nullptr) {
  CLI::App app("test");
  add_param_options(app, values);
  if (help) *help = app.help();
  args.insert(args.begin(), "prog");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(int(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("params: defaults and typed get/set") {
  ParamTable table = make_table();
  ParamValues p(table);
  CHECK(p.get_float("learning_rate") == 2e-3);
  CHECK(p.get_int("batch_size") == 32);
  CHECK(p.get_bool("verbose") == false);
  CHECK(p.get_string("run_dir") == "runs");
  CHECK(p.get_string("neuron") == "lif");
  CHECK(table.at("batch_size").restart);
  CHECK_FALSE(table.at("learning_rate").restart);
  CHECK(table.at("learning_rate").min == 1e-6);

  p.set_float("learning_rate", 0.5);
  p.set_int("batch_size", 7);
  p.set_bool("verbose", true);
  p.set_string("neuron", "alif");
  CHECK(p.get_float("learning_rate") == 0.5);
  CHECK(p.get_int("batch_size") == 7);
  CHECK(p.get_bool("verbose"));
  CHECK(p.get_string("neuron") == "alif");
  CHECK_FALSE(p.is_default("batch_size"));
  p.set_int("learning_rate", 1);  // an int is a fine float
  CHECK(p.get_float("learning_rate") == 1.0);
  p.set_float("batch_size", 16.0);  // a whole float is a fine int
  CHECK(p.get_int("batch_size") == 16);
  p.reset();
  CHECK(p.is_default("batch_size"));
  CHECK(p == ParamValues(table));
}

TEST_CASE("params: unknown key, wrong type and out-of-range values are rejected naming the key") {
  ParamValues p(make_table());
  std::string msg = error_of([&] { p.set_int("bach_size", 3); });
  CHECK(contains(msg, "unknown parameter 'bach_size'"));
  CHECK(contains(msg, "batch_size"));  // the known names help spot the typo
  CHECK(contains(error_of([&] { p.get_float("nope"); }), "'nope'"));

  msg = error_of([&] { p.set_string("learning_rate", "fast"); });
  CHECK(contains(msg, "'learning_rate'"));
  CHECK(contains(msg, "expected a float in [1e-06, 1], found string \"fast\""));
  msg = error_of([&] { p.set_float("batch_size", 2.5); });
  CHECK(contains(msg, "'batch_size': expected an int >= 1, found 2.5"));
  msg = error_of([&] { p.set_float("learning_rate", 5); });
  CHECK(contains(msg, "'learning_rate': expected a float in [1e-06, 1], found 5"));
  msg = error_of([&] { p.set_int("batch_size", 0); });
  CHECK(contains(msg, "'batch_size'"));
  msg = error_of([&] { p.set_string("neuron", "hh"); });
  CHECK(contains(msg, "'neuron': expected one of {lif, alif, izhikevich}, found string \"hh\""));
  msg = error_of([&] { p.set_int("verbose", 1); });
  CHECK(contains(msg, "'verbose': expected a bool"));
  msg = error_of([&] { p.get_int("learning_rate"); });
  CHECK(contains(msg, "'learning_rate': is a float, read as a int"));
  CHECK(p == ParamValues(make_table()));  // failed sets changed nothing
}

TEST_CASE("params: declaration mistakes are rejected at once") {
  ParamTable t;
  t.add_int("n", 5, "count");
  CHECK_THROWS_AS(t.add_int("n", 1, "again"), std::invalid_argument);
  CHECK_THROWS_AS(t.add_int("bad-name", 1, ""), std::invalid_argument);
  CHECK_THROWS_AS(t.add_int("2fast", 1, ""), std::invalid_argument);
  CHECK_THROWS_AS(t.add_string("s", "x", "").range(0, 1), std::invalid_argument);
  CHECK_THROWS_AS(t.add_float("f", 2, "").range(0, 1), std::invalid_argument);
  CHECK_THROWS_AS(t.add_float("g", 0.5, "").range(1, 0), std::invalid_argument);
  CHECK_THROWS_AS(t.add_choice("c", "z", {"a", "b"}, ""), std::invalid_argument);
}

TEST_CASE("params: key=value text and URL queries") {
  ParamValues p(make_table());
  p.apply_assignment("learning_rate=0.01");
  p.apply_assignment("verbose=true");
  p.apply_assignment("batch_size=1e2");
  CHECK(p.get_float("learning_rate") == 0.01);
  CHECK(p.get_bool("verbose"));
  CHECK(p.get_int("batch_size") == 100);
  CHECK(contains(error_of([&] { p.apply_assignment("batch_size=2.5"); }),
                 "'batch_size': expected an int >= 1, found 2.5"));
  CHECK(contains(error_of([&] { p.apply_assignment("learning_rate=abc"); }),
                 "'learning_rate': expected a float in [1e-06, 1], found 'abc'"));
  CHECK(contains(error_of([&] { p.apply_assignment("learning_rate=2"); }), "found 2"));
  CHECK(contains(error_of([&] { p.apply_assignment("verbose=maybe"); }), "'verbose'"));
  CHECK(contains(error_of([&] { p.apply_assignment("epochs=3"); }), "'epochs'"));
  CHECK(contains(error_of([&] { p.apply_assignment("epochs"); }), "key=value"));

  ParamValues q(make_table());
  q.apply_query("neuron=alif&run_dir=my%20runs%2Fa+b&batch_size=64&");
  CHECK(q.get_string("neuron") == "alif");
  CHECK(q.get_string("run_dir") == "my runs/a b");
  CHECK(q.get_int("batch_size") == 64);
  std::string msg = error_of([&] { q.apply_query("batch_size=8&learning_rate=9"); });
  CHECK(contains(msg, "URL query: parameter 'learning_rate'"));
  CHECK(q.get_int("batch_size") == 64);  // all or nothing
  CHECK_THROWS_AS(q.apply_query("run_dir=%G1"), ParamError);

  // A query of the changed values brings a fresh table to the same state.
  ParamValues r(make_table());
  r.apply_query(q.to_query());
  CHECK(r == q);
  CHECK(q.to_query() == "batch_size=64&run_dir=my%20runs%2Fa%20b&neuron=alif");
}

TEST_CASE("params: JSON round trip through a file") {
  TempDir dir;
  ParamValues p(make_table());
  p.set_float("learning_rate", 0.1 + 0.2);  // needs all 17 digits to round-trip
  p.set_int("batch_size", 123456789012);
  p.set_bool("verbose", true);
  p.set_string("run_dir", "a \"quoted\" dir");
  p.set_string("neuron", "izhikevich");
  std::string path = (dir.path / "params.json").string();
  save_params_json(p, path);
  CHECK_FALSE(fs::exists(path + ".tmp"));
  ParamValues q = params_from_json_file(make_table(), path);
  CHECK(q == p);
  CHECK(q.get_float("learning_rate") == 0.1 + 0.2);
  // Keys come out in table order, which keeps hand-edited configs readable.
  CHECK(params_to_json(p).begin().key() == "learning_rate");

  // A file may set a subset; the rest keep their defaults. 3.0 is a whole number, so an int.
  ParamValues r = params_from_json_file(
      make_table(), dir.file("partial.json", R"({"batch_size": 3.0, "learning_rate": 1})"));
  CHECK(r.get_int("batch_size") == 3);
  CHECK(r.get_float("learning_rate") == 1.0);
  CHECK(r.get_string("neuron") == "lif");
}

TEST_CASE("params: JSON load rejects unknown keys, wrong types and out-of-range values") {
  TempDir dir;
  ParamTable table = make_table();
  auto load_error = [&](const std::string& json) {
    std::string path = dir.file("bad.json", json);
    std::string msg = error_of([&] { params_from_json_file(table, path); });
    CHECK(contains(msg, path));
    return msg;
  };
  CHECK(contains(load_error(R"({"learnig_rate": 0.1})"), "unknown parameter 'learnig_rate'"));
  CHECK(
      contains(load_error(R"({"learning_rate": "0.1"})"),
               "parameter 'learning_rate': expected a float in [1e-06, 1], found string \"0.1\""));
  CHECK(contains(load_error(R"({"batch_size": 2.5})"),
                 "parameter 'batch_size': expected an int >= 1, found 2.5"));
  CHECK(contains(load_error(R"({"batch_size": -4})"),
                 "parameter 'batch_size': expected an int >= 1, found -4"));
  CHECK(contains(load_error(R"({"learning_rate": 3})"),
                 "parameter 'learning_rate': expected a float in [1e-06, 1], found 3"));
  CHECK(contains(load_error(R"({"verbose": 1})"), "parameter 'verbose': expected a bool"));
  CHECK(contains(load_error(R"({"neuron": "hh"})"), "parameter 'neuron': expected one of"));
  CHECK(contains(load_error(R"({"run_dir": [1, 2]})"),
                 "parameter 'run_dir': expected a string, found array"));
  CHECK(contains(load_error("[1, 2]"), "expected a JSON object"));
}

TEST_CASE("params: a JSON syntax error or a missing file names the file") {
  TempDir dir;
  std::string path = dir.file("broken.json", "{\"batch_size\": 4,\n \"verbose\": tru}");
  ParamValues p(make_table());
  std::string msg = error_of([&] { apply_params_json_file(p, path); });
  CHECK(contains(msg, path + ": JSON syntax error at byte "));
  CHECK(p.get_int("batch_size") == 32);  // nothing applied
  std::string missing = (dir.path / "missing.json").string();
  CHECK(contains(error_of([&] { apply_params_json_file(p, missing); }), missing));
}

TEST_CASE("params CLI: flags override the --params file") {
  TempDir dir;
  std::string file =
      dir.file("run.json",
               R"({"learning_rate": 0.01, "batch_size": 64, "verbose": true, "neuron": "alif"})");
  ParamValues p(make_table());
  parse_cli(p, {"--learning_rate", "0.05", "--params", file, "--verbose=false", "--run_dir=out"});
  CHECK(p.get_float("learning_rate") == 0.05);  // flag beats file, wherever it stands
  CHECK(p.get_int("batch_size") == 64);         // from the file
  CHECK(p.get_bool("verbose") == false);        // --flag=false beats the file's true
  CHECK(p.get_string("neuron") == "alif");      // from the file
  CHECK(p.get_string("run_dir") == "out");

  ParamValues q(make_table());
  parse_cli(q, {"--verbose", "--neuron", "izhikevich", "--batch_size", "8"});
  CHECK(q.get_bool("verbose"));
  CHECK(q.get_string("neuron") == "izhikevich");
  CHECK(q.get_int("batch_size") == 8);
  CHECK(q.get_float("learning_rate") == 2e-3);  // untouched: default
}

TEST_CASE("params CLI: --help text, bad values and unknown flags") {
  ParamValues p(make_table());
  std::string help;
  parse_cli(p, {}, &help);
  CHECK(contains(help, "--learning_rate"));
  CHECK(contains(help, "Adam step size"));
  CHECK(contains(help, "--learning_rate FLOAT=0.002"));
  CHECK(contains(help, "Adam step size (in [1e-06, 1])"));
  CHECK(contains(help, "--batch_size INT=32"));
  CHECK(contains(help, "one of {lif, alif, izhikevich}"));
  CHECK(contains(help, "print progress (default: false)"));
  CHECK(contains(help, "--params"));
  CHECK(p == ParamValues(make_table()));

  CHECK_THROWS_AS(parse_cli(p, {"--help"}), CLI::CallForHelp);
  CHECK_THROWS_AS(parse_cli(p, {"--epochs", "3"}), CLI::ExtrasError);
  auto cli_error = [&](std::vector<std::string> args) -> std::string {
    try {
      parse_cli(p, std::move(args));
    } catch (const CLI::ParseError& e) {
      return e.what();
    }
    FAIL("expected a CLI::ParseError");
    return "";
  };
  CHECK(contains(cli_error({"--learning_rate", "5"}),
                 "--learning_rate: expected a float in [1e-06, 1], found 5"));
  CHECK(contains(cli_error({"--batch_size", "2.5"}), "--batch_size: expected an int >= 1"));
  CHECK(contains(cli_error({"--neuron", "hh"}), "--neuron: expected one of"));
  CHECK(contains(cli_error({"--verbose=maybe"}), "--verbose: expected a bool"));
  TempDir dir;
  std::string bad = dir.file("bad.json", R"({"batch_size": 0})");
  std::string msg = cli_error({"--params", bad});
  CHECK(contains(msg, bad));
  CHECK(contains(msg, "'batch_size'"));
  CHECK(p == ParamValues(make_table()));  // failed parses changed nothing
}

TEST_CASE("params: an alias is accepted by lookups, JSON and the CLI") {
  ParamTable t;
  t.add_int("epochs", 10, "passes over the data").min(1).alias("max_epochs");
  CHECK_THROWS_AS(t.add_int("x", 1, "x").alias("epochs"), std::invalid_argument);
  ParamValues p(t);
  p.set_from_string("max_epochs", "3");
  CHECK(p.get_int("epochs") == 3);
  apply_params_json(p, nlohmann::json::parse(R"({"max_epochs": 4})"));
  CHECK(p.get_int("epochs") == 4);
  parse_cli(p, {"--max_epochs", "5"});
  CHECK(p.get_int("epochs") == 5);
  parse_cli(p, {"--epochs", "6"});
  CHECK(p.get_int("epochs") == 6);
}
