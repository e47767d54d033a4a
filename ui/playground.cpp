#include "ui/playground.hpp"

#include <imgui.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/nir/graph.hpp"
#include "core/params/param_json.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/registry.hpp"
#include "ui/task_views.hpp"

namespace soma::ui {

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

Playground::Playground(PlaygroundOptions opt, PlatformHooks hooks)
    : opt_(std::move(opt)), default_autorun_(opt_.autorun), hooks_(std::move(hooks)) {
  if (opt_.tasks.empty())
    for (const TaskEntry& e : task_registry()) opt_.tasks.push_back(e.name);
  config_path_ = opt_.files_dir + "/params.json";
  checkpoint_dir_ = opt_.files_dir;
}

// A worker step: the task it steps (kept alive by the job if a reset replaces it meanwhile),
// what to do, and what happened. `finished` publishes the rest to the UI thread.
struct Playground::StepJob {
  std::shared_ptr<Task> task;
  int steps_wanted = 1;
  double budget_ms = 0;
  std::atomic<bool> finished{false};
  int steps_done = 0;
  double last_ms = 0;
  std::string error;
};

Playground::~Playground() {
  wait_for_step();
}

const Telemetry& Playground::telemetry() const {
  return job_ ? snapshot_ : task_->telemetry();
}

bool Playground::task_done() const {
  return !job_ && task_->done();
}

void Playground::launch_job() {
  snapshot_ = task_->telemetry();
  auto job = std::make_shared<StepJob>();
  job->task = task_;
  job->steps_wanted = opt_.steps_per_frame;
  job->budget_ms = opt_.frame_budget_ms;
  job_ = job;
  std::thread([job] {
    const double t0 = now_ms();
    try {
      for (int n = 0; n < job->steps_wanted && !job->task->done(); ++n) {
        const double s0 = now_ms();
        job->task->step();
        job->last_ms = now_ms() - s0;
        ++job->steps_done;
        if (now_ms() - t0 >= job->budget_ms) break;
      }
    } catch (const std::exception& e) {
      job->error = e.what();
    }
    job->finished.store(true, std::memory_order_release);
  }).detach();
}

void Playground::collect_job() {
  if (!job_ || !job_->finished.load(std::memory_order_acquire)) return;
  std::shared_ptr<StepJob> job = std::move(job_);
  job_.reset();
  if (job->task != task_) return;  // a reset replaced the task meanwhile
  for (int i = 0; i < job->steps_done; ++i) count_step(job->last_ms);
  if (!job->error.empty()) fail("step failed: " + job->error);
  if (live_dirty_) {
    live_dirty_ = false;
    apply_live_params();
  }
}

void Playground::wait_for_step() {
  while (job_ && !job_->finished.load(std::memory_order_acquire))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  collect_job();
}

void Playground::count_step(double ms) {
  stats_.last_ms = ms;
  stats_.mean_ms = stats_.steps == 0 ? ms : 0.95 * stats_.mean_ms + 0.05 * ms;
  ++stats_.steps;
  ++rate_window_steps_;
}

ParamValues Playground::base_values(const std::string& task) const {
  ParamValues v(table_ ? *table_ : task_->params());
  if (auto it = opt_.task_defaults.find(task); it != opt_.task_defaults.end())
    v.apply_query(it->second, "defaults of " + task);
  return v;
}

namespace {

// The task's table with the platform's caps: explicit ones (task_limits) first, then size_cap
// on every other integer but the seed, measured from the platform's default.
std::unique_ptr<ParamTable> capped_table(const ParamTable& full, const ParamValues& defaults,
                                         double size_cap, const std::string& limits) {
  auto t = std::make_unique<ParamTable>(full);
  std::vector<std::string> explicit_caps;
  for (const auto& [k, v] : parse_query(limits, "the platform's limits")) {
    t->refine(k).max(std::stod(v));
    explicit_caps.push_back(k);
  }
  if (size_cap <= 0) return t;
  for (const ParamSpec& s : full) {
    if (s.type != ParamType::integer || s.name == "seed" ||
        std::find(explicit_caps.begin(), explicit_caps.end(), s.name) != explicit_caps.end())
      continue;
    const double def = double(std::get<int64_t>(s.default_value));
    const double cap = std::max({size_cap * double(defaults.get_int(s.name)), def, size_cap});
    if (!s.max || *s.max > cap) t->refine(s.name).max(std::floor(cap));
  }
  return t;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

void Playground::set_notice(const std::string& text) {
  notice_ = text;
  notice_until_ms_ = now_ms() + 4000;
}

void Playground::set_running(bool on) {
  running_ = on;
  notify();  // run=0 goes into the URL, so a paused page reloads paused
}

void Playground::note_frame(double draw_ms, double ui_ms, bool drawn) {
  ++stats_.frames;
  stats_.frames_drawn += drawn ? 1 : 0;
  stats_.draw_ms = stats_.draw_ms == 0 ? draw_ms : 0.95 * stats_.draw_ms + 0.05 * draw_ms;
  stats_.ui_ms = stats_.ui_ms == 0 ? ui_ms : 0.95 * stats_.ui_ms + 0.05 * ui_ms;
  if (const ImDrawData* d = ImGui::GetCurrentContext() ? ImGui::GetDrawData() : nullptr) {
    stats_.vertices = d->TotalVtxCount, stats_.indices = d->TotalIdxCount;
    stats_.draw_calls = 0;
    for (int i = 0; i < d->CmdListsCount; ++i) stats_.draw_calls += d->CmdLists[i]->CmdBuffer.Size;
  }
}

// Applies each pair on its own: a rejected value is named, the others still apply.
void Playground::apply_pairs(const std::string& query, std::vector<std::string>& errors) {
  std::vector<std::pair<std::string, std::string>> pairs;
  try {
    pairs = parse_query(query);
  } catch (const std::exception& e) {
    errors.push_back(e.what());
  }
  for (const auto& [k, v] : pairs) {
    try {
      if (opt_.browser && k == "device" && v != "cpu")
        throw ParamError::about("URL query", k,
                                "the browser computes on the CPU only; got '" + v + "'");
      pending_->set_from_string(k, v, "URL query");
    } catch (const std::exception& e) {
      errors.push_back(e.what());
    }
  }
}

bool Playground::open(const std::string& task, const std::string& query) {
  return open_checked(task, query, {});
}

bool Playground::open_checked(const std::string& task, const std::string& query,
                              std::vector<std::string> errors) {
  std::string name = task;
  bool known = std::find(opt_.tasks.begin(), opt_.tasks.end(), name) != opt_.tasks.end();
  if (!known) {
    std::string list;
    for (const auto& t : opt_.tasks) list += (list.empty() ? "" : ", ") + t;
    errors.push_back("unknown task '" + name + "' (known: " + list + "); showing " +
                     opt_.default_task);
    name = opt_.default_task;
  }
  task_name_ = name;
  job_.reset();  // a worker step of the previous task finishes on its own
  task_ = make_task(name);
  view_ = make_task_view(name);
  table_.reset();
  {
    auto it = opt_.task_limits.find(name);
    table_ = capped_table(task_->params(), base_values(name), opt_.size_cap,
                          it == opt_.task_limits.end() ? "" : it->second);
  }
  pending_ = std::make_unique<ParamValues>(base_values(name));
  auto [rows, cols] = task_->input_shape();
  input_ = Image{"input", rows, cols, std::vector<float>(size_t(rows * cols), 0.0f)};
  if (known) apply_pairs(query, errors);
  message_.clear();
  reset();
  if (!applied_) {  // "setup failed: ..." (a weights file that will not load)
    errors.push_back(message_);
    // Back to the platform's defaults, as a first visit sees them, unless they were the ones
    // that failed.
    if (!(*pending_ == base_values(name))) {
      *pending_ = base_values(name);
      message_.clear();
      reset();
      errors.back() += applied_ ? "; using the defaults" : "; " + message_;
    }
  }
  message_ = join(errors);
  if (opt_.autorun && applied_) running_ = true;  // not after a failed setup
  notify();
  return errors.empty();
}

bool Playground::open_query(const std::string& query) {
  // Every parameter of every task fits in a few hundred bytes; megabytes are a mistake or an
  // attack, refused before parsing.
  constexpr size_t kMaxQueryBytes = 64 << 10;
  if (query.size() > kMaxQueryBytes) {
    open(opt_.default_task);
    message_ = "a query of " + std::to_string(query.size()) + " bytes; at most " +
               std::to_string(kMaxQueryBytes) + " are accepted; using the defaults";
    return false;
  }
  std::string task = opt_.default_task, rest;
  std::vector<std::pair<std::string, std::string>> pairs;
  try {
    pairs = parse_query(query);
  } catch (const std::exception& e) {
    open(task);
    message_ = std::string(e.what()) + "; using the defaults";
    return false;
  }
  std::vector<std::string> errors;
  auto flag = [&](const std::string& k, const std::string& v, bool& out) {
    if (v == "1" || v == "true")
      out = true;
    else if (v == "0" || v == "false")
      out = false;
    else
      errors.push_back("URL query: parameter '" + k + "': expected 0 or 1, got '" + v + "'");
  };
  opt_.autorun = default_autorun_;
  bool named = false;
  for (const auto& [k, v] : pairs) {
    if (k == "task" && !named) {  // the first; a later one is the task's own (microcircuit's)
      task = v;
      named = true;
    } else if (k == "embed") {
      flag(k, v, opt_.embed);
    } else if (k == "run") {
      flag(k, v, opt_.autorun);
    } else if (k == "steps_per_frame") {
      try {
        ParamSpec spec;
        spec.name = "steps_per_frame", spec.type = ParamType::integer;
        spec.default_value = int64_t(1), spec.min = 1.0, spec.max = 1000.0;
        opt_.steps_per_frame = int(std::get<int64_t>(parse_value(spec, v, "URL query")));
      } catch (const std::exception& e) {
        errors.push_back(e.what());
      }
    } else {
      rest += (rest.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
    }
  }
  const bool ok = open_checked(task, rest, errors);
  if (!opt_.autorun) running_ = false;
  return ok;
}

std::string Playground::query() const {
  std::string q = "task=" + url_encode(task_name_);
  if (!pending_) return q;
  ParamValues base = base_values(task_name_);
  for (const ParamSpec& s : pending_->table())
    if (!(pending_->get(s.name) == base.get(s.name)))
      q += "&" + url_encode(s.name) + "=" + url_encode(to_string(pending_->get(s.name)));
  if (opt_.embed) q += "&embed=1";
  // Paused where the platform runs (or running where it waits): said, so a reload keeps it. A
  // finished or failed run is neither.
  const bool settled = !applied_ || task_done();
  if (!settled && running_ != default_autorun_) q += running_ ? "&run=1" : "&run=0";
  return q;
}

void Playground::notify() {
  std::string q = query();
  if (q != last_query_ && hooks_.state_changed) hooks_.state_changed(q);
  last_query_ = q;
}

void Playground::fail(const std::string& what) {
  message_ = what;
  running_ = false;
}

void Playground::reset() {
  if (job_) {  // the step in flight keeps the old task; this one starts fresh
    job_.reset();
    task_ = make_task(task_name_);
  }
  stats_ = {};
  rate_window_start_ = now_ms();
  rate_window_steps_ = 0, rate_window_frames_ = 0;
  double t0 = now_ms();
  applied_.reset();  // a failed setup must not leave the previous values to step the new task with
  try {
    check_device(*pending_, task_->runs_on_cuda(*pending_));  // as the CLI: before anything runs
    task_->setup(*pending_, RunContext{});
    applied_ = std::make_unique<ParamValues>(*pending_);
  } catch (const std::exception& e) {
    fail("setup failed: " + std::string(e.what()));
  }
  stats_.setup_ms = now_ms() - t0;
  if (view_) view_->reset();
  notify();
}

// Copies the pending values of parameters without the restart flag into the applied ones.
void Playground::apply_live_params() {
  if (!applied_) return;
  if (job_) {  // not while the worker steps the task: when the step is collected
    live_dirty_ = true;
    return;
  }
  bool changed = false;
  for (const ParamSpec& s : pending_->table()) {
    if (s.restart || applied_->get(s.name) == pending_->get(s.name)) continue;
    applied_->set(s.name, pending_->get(s.name));
    changed = true;
  }
  if (changed) task_->update_params(*applied_);
}

void Playground::step_once() {
  if (job_) return;
  if (!applied_ || task_->done()) return;
  double t0 = now_ms();
  try {
    task_->step();
  } catch (const std::exception& e) {
    fail("step failed: " + std::string(e.what()));
    return;
  }
  count_step(now_ms() - t0);
}

void Playground::advance() {
  const double t0 = now_ms();
  ++rate_window_frames_;  // advance() runs once a frame on every platform
  if (opt_.worker_thread) {
    collect_job();
    if (running_ && applied_ && !job_) {
      if (task_->done())
        running_ = false;
      else
        launch_job();
    }
  } else if (running_ && applied_) {
    // Training gets frame_budget_ms of each frame on average: a frame steps while it has
    // budget left, and a step that runs over is paid back by the frames after it, which only
    // draw (a 30 ms step on a 10 ms budget runs every third frame). The page keeps its own frame
    // rate instead of the training's (issue 18: one 27-42 ms memory step in every frame on a
    // busy machine held the page at 9-12 fps).
    const double budget = opt_.frame_budget_ms;
    step_credit_ms_ = std::min(step_credit_ms_ + budget, budget);
    if (step_credit_ms_ > 0) {
      for (int n = 0; n < opt_.steps_per_frame && !task_->done() && running_; ++n) {
        step_once();
        if (now_ms() - t0 >= step_credit_ms_) break;
      }
      step_credit_ms_ -= now_ms() - t0;
    }
    if (task_->done()) running_ = false;
  }
  const double now = now_ms();
  if (now - rate_window_start_ >= 1000) {
    stats_.steps_per_second = 1000.0 * double(rate_window_steps_) / (now - rate_window_start_);
    stats_.frames_per_second = 1000.0 * double(rate_window_frames_) / (now - rate_window_start_);
    rate_window_start_ = now;
    rate_window_steps_ = 0, rate_window_frames_ = 0;
  }
}

std::string Playground::state_json() const {
  nlohmann::ordered_json j;
  j["task"] = task_name_;
  j["steps"] = stats_.steps;
  j["running"] = running_;
  j["done"] = task_ && applied_ ? task_done() : false;
  j["message"] = message_;
  j["query"] = query();
  j["notice"] = notice_;
  j["mean_step_ms"] = stats_.mean_ms;
  j["steps_per_second"] = stats_.steps_per_second;
  j["draw_ms"] = stats_.draw_ms;
  j["ui_ms"] = stats_.ui_ms;
  j["vertices"] = stats_.vertices;
  j["indices"] = stats_.indices;
  j["draw_calls"] = stats_.draw_calls;
  j["frames"] = stats_.frames;
  j["frames_drawn"] = stats_.frames_drawn;
  j["controls_scroll"] = {controls_scroll_[0], controls_scroll_[1]};
  j["views_overflow"] = views_overflow_;
  j["labels_clipped"] = labels_clipped_;
  if (ImGui::GetCurrentContext()) {  // the layout size (CSS px on the web) and device px per unit
    const ImGuiIO& io = ImGui::GetIO();
    j["display"] = {io.DisplaySize.x, io.DisplaySize.y, io.DisplayFramebufferScale.x};
  }
  if (task_) {
    const Telemetry& t = telemetry();
    j["status"] = t.status;
    j["progress"] = t.progress;
    nlohmann::ordered_json s = nlohmann::ordered_json::object();
    for (const Series& x : t.series()) s[x.name] = {{"n", x.y.size()}, {"last", x.last()}};
    j["series"] = s;
    j["rasters"] = t.rasters().size();
    j["traces"] = t.traces().size();
    j["images"] = t.images().size();
    if (input_.rows > 0)
      j["input_rect"] = {input_rect_[0], input_rect_[1], input_rect_[2], input_rect_[3]};
  }
  // A message may quote a URL value that is not UTF-8 (model=%FF): replaced, never a throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Playground::save_config(const std::string& path) {
  try {
    std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    save_params_json(*pending_, path);
    set_notice("saved " + path);
    if (hooks_.offer_file) hooks_.offer_file(path);
  } catch (const std::exception& e) {
    message_ = e.what();
  }
}

void Playground::load_config(const std::string& path) {
  try {
    ParamValues v = base_values(task_name_);
    task_->apply_params_file(v, path);
    *pending_ = v;
    set_notice("loaded " + path + " (press Reset to apply restart parameters)");
    apply_live_params();
    notify();
  } catch (const std::exception& e) {
    message_ = e.what();
  }
}

void Playground::save_checkpoint(const std::string& dir) {
  wait_for_step();
  try {
    task_->save(dir);
    set_notice("saved " + dir + "/checkpoint.safetensors");
    if (hooks_.offer_file) hooks_.offer_file(dir + "/checkpoint.safetensors");
  } catch (const std::exception& e) {
    message_ = e.what();
  }
}

void Playground::export_nir(const std::string& path) {
  wait_for_step();
  try {
    if (!applied_) throw std::runtime_error("the task did not start: nothing to export");
    nir::Graph g = task_->to_nir();
    g.metadata["soma.config"] = params_to_json(*applied_).dump(2);
    std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    nir::write_file(path, g);
    set_notice("saved " + path + " (NIR, " + std::to_string(g.nodes.size()) + " nodes)");
    if (hooks_.offer_file) hooks_.offer_file(path);
  } catch (const std::exception& e) {
    message_ = e.what();
  }
}

void Playground::import_nir(const std::string& path) {
  wait_for_step();
  try {
    if (!applied_) throw std::runtime_error("the task did not start: nothing to initialise");
    const nir::Graph g = nir::read_file(path);
    task_->init_from_nir(g);
    set_notice("loaded " + path + " (NIR, " + std::to_string(g.nodes.size()) + " nodes)");
  } catch (const std::exception& e) {
    const std::string m = e.what();  // the reader names the file; the task's checks may not
    message_ = m.rfind(path, 0) == 0 ? m : std::string(path).append(": ").append(m);
  }
}

void Playground::load_checkpoint(const std::string& dir) {
  wait_for_step();
  try {
    task_->load(dir);
    set_notice("loaded " + dir + "/checkpoint.safetensors");
  } catch (const std::exception& e) {
    message_ = e.what();
  }
}

}  // namespace soma::ui
