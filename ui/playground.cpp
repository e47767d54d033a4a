#include "ui/playground.hpp"

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/params/param_json.hpp"
#include "tasks/registry.hpp"
#include "ui/task_views.hpp"

namespace soma::ui {

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

Playground::Playground(PlaygroundOptions opt, PlatformHooks hooks)
    : opt_(std::move(opt)), hooks_(std::move(hooks)) {
  if (opt_.tasks.empty())
    for (const TaskEntry& e : task_registry()) opt_.tasks.push_back(e.name);
  config_path_ = opt_.files_dir + "/params.json";
  checkpoint_dir_ = opt_.files_dir;
}

Playground::~Playground() = default;

ParamValues Playground::base_values(const std::string& task) const {
  ParamValues v(task_->params());
  if (auto it = opt_.task_defaults.find(task); it != opt_.task_defaults.end())
    v.apply_query(it->second, "defaults of " + task);
  return v;
}

bool Playground::open(const std::string& task, const std::string& query) {
  bool ok = true;
  std::string name = task;
  if (std::find(opt_.tasks.begin(), opt_.tasks.end(), name) == opt_.tasks.end()) {
    std::string known;
    for (const auto& t : opt_.tasks) known += (known.empty() ? "" : ", ") + t;
    message_ = "unknown task '" + name + "' (known: " + known + "); showing " + opt_.default_task;
    name = opt_.default_task;
    ok = false;
  } else {
    message_.clear();
  }
  task_name_ = name;
  task_ = make_task(name);
  view_ = make_task_view(name);
  pending_ = std::make_unique<ParamValues>(base_values(name));
  auto [rows, cols] = task_->input_shape();
  input_ = Image{"input", rows, cols, std::vector<float>(size_t(rows * cols), 0.0f)};
  try {
    if (ok) pending_->apply_query(query);
  } catch (const std::exception& e) {
    message_ = std::string(e.what()) + "; using the defaults";
    ok = false;
  }
  reset();
  if (opt_.autorun && applied_) running_ = true;  // not after a failed setup
  return ok;
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
  for (const auto& [k, v] : pairs) {
    if (k == "task")
      task = v;
    else if (k == "embed")
      opt_.embed = v != "0";
    else if (k == "run")
      opt_.autorun = v != "0";
    else if (k == "steps_per_frame")
      opt_.steps_per_frame = std::max(1, std::atoi(v.c_str()));
    else
      rest += (rest.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
  }
  return open(task, rest);
}

std::string Playground::query() const {
  std::string q = "task=" + url_encode(task_name_);
  if (!pending_) return q;
  ParamValues base = base_values(task_name_);
  for (const ParamSpec& s : pending_->table())
    if (!(pending_->get(s.name) == base.get(s.name)))
      q += "&" + url_encode(s.name) + "=" + url_encode(to_string(pending_->get(s.name)));
  if (opt_.embed) q += "&embed=1";
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
  stats_ = {};
  rate_window_start_ = now_ms();
  rate_window_steps_ = 0;
  double t0 = now_ms();
  applied_.reset();  // a failed setup must not leave the previous values to step the new task with
  try {
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
  bool changed = false;
  for (const ParamSpec& s : pending_->table()) {
    if (s.restart || applied_->get(s.name) == pending_->get(s.name)) continue;
    applied_->set(s.name, pending_->get(s.name));
    changed = true;
  }
  if (changed) task_->update_params(*applied_);
}

void Playground::step_once() {
  if (!applied_ || task_->done()) return;
  double t0 = now_ms();
  try {
    task_->step();
  } catch (const std::exception& e) {
    fail("step failed: " + std::string(e.what()));
    return;
  }
  double ms = now_ms() - t0;
  stats_.last_ms = ms;
  stats_.mean_ms = stats_.steps == 0 ? ms : 0.95 * stats_.mean_ms + 0.05 * ms;
  ++stats_.steps;
  ++rate_window_steps_;
}

void Playground::advance() {
  const double t0 = now_ms();
  if (running_ && applied_) {
    for (int n = 0; n < opt_.steps_per_frame && !task_->done() && running_; ++n) {
      step_once();
      if (now_ms() - t0 >= opt_.frame_budget_ms) break;
    }
    if (task_->done()) running_ = false;
  }
  const double now = now_ms();
  if (now - rate_window_start_ >= 1000) {
    stats_.steps_per_second = 1000.0 * double(rate_window_steps_) / (now - rate_window_start_);
    rate_window_start_ = now;
    rate_window_steps_ = 0;
  }
}

std::string Playground::state_json() const {
  nlohmann::ordered_json j;
  j["task"] = task_name_;
  j["steps"] = stats_.steps;
  j["running"] = running_;
  j["done"] = task_ && applied_ ? task_->done() : false;
  j["message"] = message_;
  j["query"] = query();
  j["mean_step_ms"] = stats_.mean_ms;
  j["steps_per_second"] = stats_.steps_per_second;
  if (task_) {
    const Telemetry& t = task_->telemetry();
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
    message_ = "saved " + path;
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
    message_ = "loaded " + path + " (press reset to apply restart parameters)";
    apply_live_params();
    notify();
  } catch (const std::exception& e) {
    message_ = e.what();
  }
}

void Playground::save_checkpoint(const std::string& dir) {
  try {
    task_->save(dir);
    message_ = "saved " + dir + "/checkpoint.safetensors";
    if (hooks_.offer_file) hooks_.offer_file(dir + "/checkpoint.safetensors");
  } catch (const std::exception& e) {
    message_ = e.what();
  }
}

void Playground::load_checkpoint(const std::string& dir) {
  try {
    task_->load(dir);
    message_ = "loaded " + dir + "/checkpoint.safetensors";
  } catch (const std::exception& e) {
    message_ = e.what();
  }
}

}  // namespace soma::ui
