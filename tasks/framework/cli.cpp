#include "tasks/framework/cli.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "core/data/catalog.hpp"
#include "core/io/tfevents.hpp"
#include "core/nn/summary.hpp"
#include "core/params/param_cli.hpp"
#include "core/params/param_json.hpp"
#include "core/version.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/framework/interop.hpp"
#include "tasks/framework/run.hpp"
#include "tasks/registry.hpp"

namespace soma {
namespace {

constexpr int kBadCommandLine = 2, kRunFailed = 1;

void usage(std::ostream& out) {
  out << "Soma: spiking neural networks.\n\n"
         "usage: soma list                 the tasks\n"
         "       soma <task> --help        a task's flags\n"
         "       soma <task> [flags]       run a task (results go to --out DIR)\n"
         "       soma --version            the version\n";
  interop_usage(out);
  out << "\n"
         "tasks:\n";
  size_t width = 0;  // the names in one column, the descriptions in the next
  for (const TaskEntry& e : task_registry()) width = std::max(width, e.name.size());
  for (const TaskEntry& e : task_registry())
    out << "  " << e.name << std::string(width + 2 - e.name.size(), ' ') << e.description << "\n";
}

// The files that make a folder a run folder (ours, or the microcircuit's model.json).
const char* const kRunFiles[] = {"config.json",
                                 "checkpoint.safetensors",
                                 "checkpoint-best.safetensors",
                                 "metrics.csv",
                                 "series.csv",
                                 "model.json"};

bool is_run_folder(const std::string& dir) {
  for (const char* f : kRunFiles)
    if (std::filesystem::exists(std::filesystem::path(dir) / f)) return true;
  return false;
}

// runs/<task>-<date>-<time>, with -2, -3, ... when a run started in the same second.
std::string default_out_dir(const std::string& task) {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  const std::string base = "runs/" + task + "-" + stamp;
  std::string dir = base;
  for (int k = 2; std::filesystem::exists(dir); ++k) dir = base + "-" + std::to_string(k);
  return dir;
}

// --overwrite: the old run's files go first, so that nothing of it (a best checkpoint, a
// metrics row) is mistaken for the new run's.
void remove_run_files(const std::string& dir) {
  for (const char* f : kRunFiles) std::filesystem::remove(std::filesystem::path(dir) / f);
  for (const std::string& f : event_files(dir)) std::filesystem::remove(f);  // TensorBoard logs
  std::filesystem::remove_all(std::filesystem::path(dir) / "plots");
}

// The value after --resume, if any: its config.json must be applied before the flags are.
std::string resume_dir(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--resume" && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind("--resume=", 0) == 0) return args[i].substr(9);
  }
  return "";
}

// Norse's spellings of the same flags: its current task scripts take hyphens (--batch-size,
// --learning-rate, --random-seed), its absl-era ones --random_seed. They are rewritten to the
// table's names before parsing, so a Norse command line works and --help shows one spelling.
std::vector<std::string> norse_spellings(const std::vector<std::string>& args,
                                         const ParamTable& table) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    const size_t eq = a.find('=');
    std::string name = a.substr(0, eq), value = eq == std::string::npos ? "" : a.substr(eq);
    if (name.rfind("--", 0) != 0 || table.find(name.substr(2)) >= 0) {
      out.push_back(a);
      continue;
    }
    std::replace(name.begin() + 2, name.end(), '-', '_');
    if (name == "--random_seed") name = "--seed";
    out.push_back(table.find(name.substr(2)) >= 0 ? name + value : a);
  }
  return out;
}

struct RunFlags {
  std::string out, resume, init_from;
  bool quiet = false, overwrite = false;
};

// Parses the task's flags into `values`; returns an exit code, or -1 to go on and run.
int parse_task_flags(Task& task, const std::vector<std::string>& args, ParamValues& values,
                     RunFlags& flags, std::ostream& out, std::ostream& err) {
  CLI::App app{task.description(), "soma " + task.name()};
  add_param_options(app, values, [&task](ParamValues& v, const std::string& path) {
    task.apply_params_file(v, path);
  });
  app.add_option("--out", flags.out, "run folder (default: runs/<task>-<date>-<time>)");
  app.add_option("--resume", flags.resume, "continue the run in this folder from its checkpoint");
  app.add_flag("--quiet", flags.quiet, "no progress bar");
  app.add_option("--init_from", flags.init_from,
                 "start from the weights and neuron constants of a NIR file (soma export-nir)");
  app.add_flag("--overwrite", flags.overwrite,
               "replace the run in --out (without it, a folder that holds a run is refused)");
  try {
    if (!flags.resume.empty()) apply_params_json_file(values, flags.resume + "/config.json");
    const std::vector<std::string> a = norse_spellings(args, task.params());
    std::vector<std::string> reversed(a.rbegin(), a.rend());  // CLI11 wants them reversed
    app.parse(reversed);
    check_device(values, task.runs_on_cuda(values));
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "soma " << task.name() << ": " << e.what() << "\nRun 'soma " << task.name()
        << " --help' for the flags.\n";
    return kBadCommandLine;
  } catch (const std::exception& e) {
    err << "soma " << task.name() << ": " << e.what() << "\n";
    return kBadCommandLine;
  }
  return -1;
}

// The run folder, or an exit code: --resume's, --out's (refused when it holds a run, unless
// --overwrite), the task's own default, or a new runs/<task>-<time>.
int choose_folder(const Task& task, const ParamValues& values, const RunFlags& flags,
                  std::string& folder, std::ostream& err) {
  if (!flags.resume.empty()) {
    if (!flags.out.empty() && flags.out != flags.resume) {
      err << "soma " << task.name() << ": --resume continues the run in its own folder; drop --out "
          << flags.out << "\n";
      return kBadCommandLine;
    }
    folder = flags.resume;
    return -1;
  }
  folder = flags.out;
  if (!folder.empty() && is_run_folder(folder) && !flags.overwrite && !task.reruns_in_folder()) {
    err << "soma " << task.name() << ": --out " << folder
        << " already holds a run; continue it with --resume " << folder
        << ", replace it with --overwrite, or choose another folder\n";
    return kBadCommandLine;
  }
  if (folder.empty()) folder = task.default_run_folder(values);
  if (folder.empty()) folder = default_out_dir(task.name());
  return -1;
}

int run_task(const std::string& name, const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
  TaskPtr task = make_task(name);
  ParamValues values(task->params());
  RunFlags flags;
  flags.resume = resume_dir(args);
  if (int code = parse_task_flags(*task, args, values, flags, out, err); code >= 0) return code;
  std::string folder;
  if (int code = choose_folder(*task, values, flags, folder, err); code >= 0) return code;
  RunContext ctx{folder, !flags.quiet};
  try {
    // A resume is checked against the checkpoint before anything is written: a failed one
    // leaves the folder as it was.
    task->setup(values, ctx);
    if (!flags.resume.empty())
      task->load(flags.resume);
    else if (!flags.init_from.empty())
      init_task_from_nir(*task, flags.init_from);
    if (flags.overwrite && flags.resume.empty()) remove_run_files(ctx.out_dir);
    std::filesystem::create_directories(ctx.out_dir);
    save_params_json(values, ctx.out_dir + "/config.json");
    // Flushed: the progress bar goes to stderr, and a piped stdout would print this after it.
    if (!flags.quiet && task->network())
      out << nn::model_summary(*task->network()) << "\n" << std::flush;
    std::string summary = run_to_end(*task, ctx, !flags.resume.empty());
    if (!summary.empty()) out << summary << "\n";
    out << "run folder: " << ctx.out_dir << "\n";
    return 0;
  } catch (const DataNotFound& e) {  // the user has to supply files: a usage error
    err << "soma " << name << ": " << e.what() << "\n";
    return kBadCommandLine;
  } catch (const std::exception& e) {
    err << "soma " << name << ": error: " << e.what() << "\n";
    return kRunFailed;
  }
}

}  // namespace

int soma_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    usage(err);
    return kBadCommandLine;
  }
  const std::string& cmd = args[0];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(out);
    return 0;
  }
  if (cmd == "--version" || cmd == "version") {
    out << "soma " << version() << "\n";
    return 0;
  }
  if (cmd == "list") {
    for (const TaskEntry& e : task_registry()) out << e.name << "\t" << e.description << "\n";
    return 0;
  }
  if (int code = interop_main(args, out, err); code >= 0) return code;
  try {
    make_task(cmd);
  } catch (const std::invalid_argument& e) {
    err << "soma: " << e.what() << "\n";
    return kBadCommandLine;
  }
  return run_task(cmd, {args.begin() + 1, args.end()}, out, err);
}

}  // namespace soma
