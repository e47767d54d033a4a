#include "tasks/framework/interop.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/safetensors.hpp"
#include "core/nir/network.hpp"
#include "core/nn/norse_names.hpp"
#include "core/params/param_json.hpp"
#include "tasks/registry.hpp"

namespace soma {
namespace {

constexpr int kBadCommandLine = 2, kFailed = 1;

// Interop reads and writes weights on the host, and a checkpoint or NIR file is
// device-independent: a run trained with --device cuda is rebuilt on the CPU, so that it exports
// and evaluates on any machine (before, the model went to the device in its config.json, whose
// weights the exporters then read as host data).
void on_the_cpu(ParamValues& values) {
  if (values.table().find("device") >= 0) values.set_string("device", "cpu");
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int export_nir(const std::string& run, const std::string& file, std::ostream& out) {
  TaskPtr task = open_run(run);
  nir::Graph g = task->to_nir();
  g.metadata["soma.config"] = read_text(run + "/config.json");
  nir::write_file(file, g);
  out << "wrote " << file << ": " << g.nodes.size() << " nodes, " << g.edges.size()
      << " edges (task " << task->name() << ")\n";
  return 0;
}

// The task a Soma-written NIR file came from, set up from its stored config, model from the file.
TaskPtr task_of(const nir::Graph& g, const std::string& file) {
  auto task_name = g.metadata.find("soma.task"), config = g.metadata.find("soma.config");
  if (task_name == g.metadata.end() || config == g.metadata.end())
    throw std::runtime_error(file +
                             ": not written by `soma export-nir` (no soma.task/soma.config"
                             " metadata); run it with --input IN.safetensors");
  TaskPtr task = make_task(task_name->second);
  ParamValues values(task->params());
  apply_params_json(values, nlohmann::json::parse(config->second), file + " soma.config");
  on_the_cpu(values);
  task->setup(values, RunContext{"", false});
  task->init_from_nir(g);
  return task;
}

int import_nir(const std::string& file, const std::string& input, const std::string& output,
               double dt, std::ostream& out) {
  nir::Graph g = nir::read_file(file);
  nir::Network net(g, float(dt));
  out << file << ": NIR " << g.version << ", " << g.nodes.size() << " nodes, " << g.edges.size()
      << " edges; run order:\n"
      << net.summary();
  if (!input.empty()) {
    SafetensorsData d = load_safetensors(input);
    auto x = d.tensors.find("input");
    if (x == d.tensors.end()) throw std::runtime_error(input + ": no tensor named 'input'");
    Tensor y = net.run(x->second);
    save_safetensors(output, {{"output", y}}, {{"source", file}});
    out << "output " << to_string(y.shape()) << " -> " << output << "\n";
    return 0;
  }
  if (g.metadata.count("soma.task")) {
    TaskPtr task = task_of(g, file);
    out << "task " << task->name() << " with the file's weights: " << task->finish() << "\n";
  }
  return 0;
}

int export_checkpoint(const std::string& run, const std::string& file, const std::string& format,
                      std::ostream& out) {
  TaskPtr task = open_run(run);
  const nn::Module* m = task->network();
  if (!m) throw std::runtime_error("task '" + task->name() + "' has no network to export");
  nn::StateDict sd =
      format == "norse" ? nn::norse_state_dict(*m, task->norse_module_names()) : m->state_dict();
  std::map<std::string, Tensor> tensors(sd.begin(), sd.end());
  save_safetensors(file, tensors, {{"soma.task", task->name()}, {"format", format}});
  out << "wrote " << file << " (" << format << " names):\n";
  for (const auto& [k, t] : tensors) out << "  " << k << "  " << to_string(t.shape()) << "\n";
  return 0;
}

}  // namespace

void interop_usage(std::ostream& out) {
  out << "       soma export-nir RUN_DIR FILE.nir      the trained network as a NIR graph\n"
         "       soma import-nir FILE.nir [--input X.safetensors --output Y.safetensors]\n"
         "                                             run or evaluate a NIR graph\n"
         "       soma export-checkpoint RUN_DIR FILE.safetensors [--format norse|soma]\n"
         "                                             weights under Norse's state_dict keys\n";
}

TaskPtr open_run(const std::string& run_dir) {
  const std::string ckpt = run_dir + "/checkpoint.safetensors";
  if (!std::filesystem::exists(ckpt))
    throw std::runtime_error(run_dir + ": no checkpoint.safetensors (not a finished run folder?)");
  SafetensorsData d = load_safetensors(ckpt);
  auto name = d.metadata.find("task");
  if (name == d.metadata.end()) throw std::runtime_error(ckpt + ": no 'task' in its metadata");
  TaskPtr task = make_task(name->second);
  ParamValues values(task->params());
  apply_params_json_file(values, run_dir + "/config.json");
  on_the_cpu(values);
  task->setup(values, RunContext{"", false});
  task->load(run_dir);
  return task;
}

void init_task_from_nir(Task& task, const std::string& path) {
  try {
    task.init_from_nir(nir::read_file(path));
  } catch (const std::exception& e) {
    throw std::runtime_error("--init_from " + path + ": " + e.what());
  }
}

int interop_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const std::string cmd = args.empty() ? "" : args[0];
  if (cmd != "export-nir" && cmd != "import-nir" && cmd != "export-checkpoint") return -1;
  CLI::App app{"", "soma " + cmd};
  std::string a, b, input, output = "output.safetensors", format = "norse";
  double dt = 1e-3;
  if (cmd == "export-nir") {
    app.description(
        "Writes a finished run's network as a NIR graph (HDF5), for Norse, snnTorch, "
        "SpikingJelly, Lava and neuromorphic tool chains.");
    app.add_option("RUN_DIR", a, "the run folder (config.json, checkpoint.safetensors)")
        ->required();
    app.add_option("FILE", b, "the NIR file to write, e.g. model.nir")->required();
  } else if (cmd == "import-nir") {
    app.description(
        "Reads a NIR graph and runs it: on --input's tensor 'input' (T, B, ...), or, "
        "for a file soma export-nir wrote, through its task's test evaluation.");
    app.add_option("FILE", a, "the NIR file")->required();
    app.add_option("--input", input, "safetensors file with a tensor 'input' (T, B, ...)");
    app.add_option("--output", output, "where the output tensor goes (with --input)")
        ->capture_default_str();
    app.add_option("--dt", dt, "time step in seconds that NIR's time constants are sampled at")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  } else {
    app.description(
        "Writes a finished run's weights as safetensors, under the state_dict keys "
        "of the matching Norse modules (--format norse) or Soma's own.");
    app.add_option("RUN_DIR", a, "the run folder")->required();
    app.add_option("FILE", b, "the safetensors file to write")->required();
    app.add_option("--format,--export_names", format, "norse or soma")
        ->capture_default_str()
        ->check(CLI::IsMember({"norse", "soma"}));
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "soma " << cmd << ": " << e.what() << "\nRun 'soma " << cmd << " --help'.\n";
    return kBadCommandLine;
  }
  try {
    if (cmd == "export-nir") return export_nir(a, b, out);
    if (cmd == "import-nir") return import_nir(a, input, output, dt, out);
    return export_checkpoint(a, b, format, out);
  } catch (const std::exception& e) {
    err << "soma " << cmd << ": error: " << e.what() << "\n";
    return kFailed;
  }
}

}  // namespace soma
