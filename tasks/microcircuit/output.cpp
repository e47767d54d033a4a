#include "tasks/microcircuit/output.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "core/io/atomic_write.hpp"
#include "core/io/json_text.hpp"
#include "tasks/framework/csv.hpp"
#include "tasks/framework/svg_plot.hpp"

namespace soma::mc {

using json = nlohmann::json;

namespace {

json matrix(const Mat& m) {
  json rows = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    json row = json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j));
    rows.push_back(row);
  }
  return rows;
}

template <class T>
json list(const std::vector<T>& xs) {
  json a = json::array();
  for (const T& x : xs) a.push_back(matrix(x));
  return a;
}

json weights(const Model& m) {
  return {{"WPP", list(m.W)},  {"WIP", list(m.WIP)}, {"BPP", list(m.B)},
          {"BPI", list(m.BI)}, {"uP", list(m.uP)},   {"uI", list(m.uI)}};
}

std::string path_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

// NaN is not JSON: angles that do not exist are stored as null and read back as NaN.
double num(const json& v) {
  return v.is_number() ? v.get<double>() : std::nan("");
}
std::vector<double> nums(const json& a) {
  std::vector<double> out;
  for (const json& v : a) out.push_back(num(v));
  return out;
}
json nullable(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(std::isfinite(x) ? json(x) : json(nullptr));
  return a;
}

std::vector<double> seconds(const json& seed) {
  std::vector<double> t = nums(seed["t_ms"]);
  for (double& x : t) x /= 1000;
  return t;
}

void write_mse(const json& model, const std::string& dir) {
  const json& P = model["params"];
  const double dt = P.value("dt", 1e-2), Tpres = P.value("Tpres", 1.0);
  const double rec = P.value("rec_per_steps", 100);
  const size_t window = std::max<size_t>(1, size_t(std::llround(10 * Tpres / (dt * rec))));
  LinePlot plot{"MSE (moving average over 10 Tpres)", "simulated time (s)", "MSE", true, {}};
  std::vector<std::string> names{"t_s"};
  std::vector<std::vector<double>> cols;
  for (const json& s : model["seeds"]) {
    if (s["mse"].empty()) continue;
    if (cols.empty()) cols.push_back(seconds(s));
    std::vector<double> y = nums(s["mse"]);
    names.push_back("mse_seed" + std::to_string(s["seed"].get<uint64_t>()));
    plot.lines.push_back(
        {names.back(), cols[0], moving_average(y, window), false, {}, false, false});
    cols.push_back(y);
  }
  if (cols.empty()) return;
  write_csv(path_in(dir, "mse.csv"), names, cols);
  write_svg(path_in(dir, "mse.svg"), plot);
}

void write_angles(const json& model, const std::string& dir) {
  const json& seeds = model["seeds"];
  if (seeds.empty() || seeds[0]["angle"].empty()) return;
  std::vector<std::string> names{"t_s"};
  std::vector<std::vector<double>> cols{seconds(seeds[0])};
  const size_t nhid = seeds[0]["angle"].size();
  for (const char* kind : {"angle", "angle_phi"}) {
    for (size_t k = 0; k < nhid; ++k) {
      const std::string layer = "_layer" + std::to_string(k + 1);
      LinePlot plot{
          std::string(kind == std::string("angle") ? "angle(B, W^T)" : "angle(B, phi' W^T phi')") +
              " layer " + std::to_string(k + 1),
          "simulated time (s)",
          "angle (deg)",
          false,
          {}};
      for (const json& s : seeds) {
        names.push_back(kind + layer + "_seed" + std::to_string(s["seed"].get<uint64_t>()));
        cols.push_back(nums(s[kind][k]));
        plot.lines.push_back({"seed " + std::to_string(s["seed"].get<uint64_t>()),
                              cols[0],
                              cols.back(),
                              false,
                              {},
                              false,
                              false});
      }
      write_svg(path_in(dir, kind + layer + ".svg"), plot);
    }
  }
  write_csv(path_in(dir, "angles.csv"), names, cols);
}

// The teacher's value of element e of a weight trace ("WPP_layer2"), if there is one.
std::optional<double> teacher_value(const json& model, const std::string& name, size_t e) {
  if (!model.contains("teacher")) return std::nullopt;
  const json& t = model["teacher"];
  const size_t us = name.find("_layer");
  if (t.is_null() || us == std::string::npos) return std::nullopt;
  const std::string kind = name.substr(0, us);
  if (!t.contains(kind) || kind == "uP" || kind == "uI") return std::nullopt;
  const size_t k = size_t(std::strtoul(name.c_str() + us + 6, nullptr, 10)) - 1;
  const json& m = t[kind];
  if (!m.is_array() || k >= m.size() || !m[k].is_array() || m[k].empty() || !m[k][0].is_array())
    return std::nullopt;
  const size_t cols = m[k][0].size();
  if (cols == 0 || e >= m[k].size() * cols) return std::nullopt;
  const json& row = m[k][e / cols];
  if (!row.is_array() || e % cols >= row.size() || !row[e % cols].is_number()) return std::nullopt;
  return row[e % cols].get<double>();
}

void write_traces(const json& model, const std::string& dir) {
  const json& seeds = model["seeds"];
  if (seeds.empty()) return;
  constexpr size_t kMaxLines = 20;  // beyond that a plot is unreadable; the CSV has everything
  for (const auto& [name, first] : seeds[0]["traces"].items()) {
    (void)first;
    std::vector<std::string> names{"t_s"};
    std::vector<std::vector<double>> cols{seconds(seeds[0])};
    const std::string seed0 = std::to_string(seeds[0]["seed"].get<uint64_t>());
    LinePlot plot{name + " (seed " + seed0 + (seeds.size() > 1 ? "; every seed in the CSV)" : ")"),
                  "simulated time (s)",
                  name,
                  false,
                  {}};
    for (const json& s : seeds) {
      const std::string tag = "seed" + std::to_string(s["seed"].get<uint64_t>());
      const json& tr = s["traces"][name];
      for (size_t e = 0; e < tr.size(); ++e) {
        names.push_back(tag + "_" + std::to_string(e));
        cols.push_back(nums(tr[e]));
        if (&s == &seeds[0] && plot.lines.size() < kMaxLines)
          plot.lines.push_back(
              {"#" + std::to_string(e), cols[0], cols.back(), false, {}, false, false});
      }
    }
    const size_t ne = seeds[0]["traces"][name].size();
    for (size_t e = 0; e < ne && e < kMaxLines; ++e)
      if (auto v = teacher_value(model, name, e))
        plot.lines.push_back({e == 0 ? "teacher" : "",
                              {cols[0].front(), cols[0].back()},
                              {*v, *v},
                              true,
                              {},
                              false,
                              false});
    write_csv(path_in(dir, name + ".csv"), names, cols);
    write_svg(path_in(dir, name + ".svg"), plot);
  }
}

}  // namespace

json to_json(const Experiment& e) {
  json j;
  j["format"] = "soma-microcircuit-1";
  j["task"] = task_name(e.task());
  j["params"] = e.params().raw;
  j["params"]["dt"] = e.params().dt;
  j["params"]["Tpres"] = e.params().Tpres;
  j["params"]["rec_per_steps"] = e.params().rec_per_steps;
  j["steps_done"] = e.steps_done();
  j["teacher"] = e.teacher() ? weights(*e.teacher()) : json(nullptr);
  j["seeds"] = json::array();
  for (const SeedRun& r : e.runs()) {
    json s;
    s["seed"] = r.seed;
    s["t_ms"] = r.rec.t_ms;
    s["mse"] = r.rec.mse;
    s["initial_angle"] = nullable(r.initial_angle);
    s["angle"] = json::array();
    s["angle_phi"] = json::array();
    for (const auto& a : r.rec.angle) s["angle"].push_back(nullable(a));
    for (const auto& a : r.rec.angle_phi) s["angle_phi"].push_back(nullable(a));
    s["traces"] = r.rec.traces;
    s["final"] = weights(r.model);
    j["seeds"].push_back(s);
  }
  return j;
}

void write_outputs(const Experiment& e, const std::string& dir) {
  const json j = to_json(e);
  write_file_atomic(path_in(dir, "model.json"), j.dump() + "\n");
  write_plots(j, dir);
}

void write_plots(const json& model, const std::string& dir) {
  write_mse(model, dir);
  write_angles(model, dir);
  write_traces(model, dir);
}

std::string summarize(const json& model) {
  std::string out;
  char buf[128];
  for (const json& s : model["seeds"]) {
    std::snprintf(buf, sizeof buf, "%sseed %llu:", out.empty() ? "" : "; ",
                  (unsigned long long)s["seed"].get<uint64_t>());
    out += buf;
    if (!s["mse"].empty()) {
      std::snprintf(buf, sizeof buf, " MSE %.3g", num(s["mse"].back()));
      out += buf;
    }
    for (const json& a : s["angle"])
      if (!a.empty() && a.back().is_number()) {
        std::snprintf(buf, sizeof buf, " %.1f°", a.back().get<double>());
        out += buf;
      }
  }
  return out;
}

namespace {

// What write_plots and summarize read, checked first: a model.json written by another version or
// edited by hand is an error naming the file and the field, never a failed nlohmann assertion.
struct ModelCheck {
  const std::string& path;
  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw std::runtime_error(path + ": " + where + ": " + problem +
                             " (not a model.json that soma microcircuit wrote?)");
  }
  const json& field(const json& obj, const char* key, const std::string& where) const {
    auto it = obj.find(key);
    if (it == obj.end()) fail(where, std::string("no \"") + key + "\"");
    return *it;
  }
  void series(const json& v, size_t n, const std::string& where) const {
    if (!v.is_array()) fail(where, "expected a list");
    if (v.size() != n)
      fail(where, "expected " + std::to_string(n) + " values (one per t_ms), found " +
                      std::to_string(v.size()));
    for (const json& x : v)
      if (!x.is_number() && !x.is_null()) fail(where, "expected numbers");
  }
  // A list of series, one per layer or element.
  void series_list(const json& v, size_t n, const std::string& where) const {
    if (!v.is_array()) fail(where, "expected a list of lists");
    for (size_t k = 0; k < v.size(); ++k) series(v[k], n, where + "[" + std::to_string(k) + "]");
  }
  void seed(const json& s, const json& first, const std::string& where) const {
    if (!s.is_object()) fail(where, "expected an object");
    const json& id = field(s, "seed", where);
    if (!id.is_number_unsigned()) fail(where + ".seed", "expected a non-negative integer");
    const json& t = field(s, "t_ms", where);
    if (!t.is_array()) fail(where + ".t_ms", "expected a list");
    const size_t n = t.size();
    series(t, n, where + ".t_ms");
    const json& mse = field(s, "mse", where);
    if (!mse.empty()) series(mse, n, where + ".mse");
    for (const char* kind : {"angle", "angle_phi"}) {
      const json& a = field(s, kind, where);
      series_list(a, n, where + "." + kind);
      if (a.size() != first["angle"].size())
        fail(where + "." + kind, "a different number of layers than seeds[0].angle");
    }
    const json& tr = field(s, "traces", where);
    if (!tr.is_object()) fail(where + ".traces", "expected an object");
    for (const auto& [name, v] : first["traces"].items()) {
      (void)v;
      series_list(field(tr, name.c_str(), where + ".traces"), n, where + ".traces." + name);
    }
  }
  void model(const json& j) const {
    if (!j.is_object() || j.value("format", "") != "soma-microcircuit-1")
      throw std::runtime_error(path + ": not a microcircuit model.json");
    if (!field(j, "params", "model").is_object()) fail("params", "expected an object");
    const json& seeds = field(j, "seeds", "model");
    if (!seeds.is_array() || seeds.empty()) fail("seeds", "expected a non-empty list");
    if (!seeds[0].is_object() || !seeds[0].contains("angle") || !seeds[0].contains("angle_phi") ||
        !seeds[0].contains("traces"))
      fail("seeds[0]", "expected an object with angle, angle_phi and traces");
    for (size_t i = 0; i < seeds.size(); ++i)
      seed(seeds[i], seeds[0], "seeds[" + std::to_string(i) + "]");
    if (j.contains("teacher") && !j["teacher"].is_null() && !j["teacher"].is_object())
      fail("teacher", "expected an object or null");
  }
};

}  // namespace

std::string replot_from_file(const std::string& path, const std::string& out_dir) {
  json j;
  try {
    j = read_json_file(path, kMaxModelFileBytes);
  } catch (const JsonError& e) {
    throw std::runtime_error(e.what());
  }
  ModelCheck{path}.model(j);
  std::string dir = out_dir.empty() ? std::filesystem::path(path).parent_path().string() : out_dir;
  if (dir.empty()) dir = ".";
  std::filesystem::create_directories(dir);
  write_plots(j, dir);
  return summarize(j);
}

}  // namespace soma::mc
