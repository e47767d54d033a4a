#include "tasks/microcircuit/output.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "core/io/atomic_write.hpp"
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
    plot.lines.push_back({names.back(), cols[0], moving_average(y, window), false});
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
        plot.lines.push_back(
            {"seed " + std::to_string(s["seed"].get<uint64_t>()), cols[0], cols.back(), false});
      }
      write_svg(path_in(dir, kind + layer + ".svg"), plot);
    }
  }
  write_csv(path_in(dir, "angles.csv"), names, cols);
}

// The teacher's value of element e of a weight trace ("WPP_layer2"), if there is one.
std::optional<double> teacher_value(const json& model, const std::string& name, size_t e) {
  const json& t = model["teacher"];
  const size_t us = name.find("_layer");
  if (t.is_null() || us == std::string::npos) return std::nullopt;
  const std::string kind = name.substr(0, us);
  if (!t.contains(kind) || kind == "uP" || kind == "uI") return std::nullopt;
  const size_t k = size_t(std::stoi(name.substr(us + 6))) - 1;
  const json& m = t[kind];
  if (k >= m.size() || m[k].empty()) return std::nullopt;
  const size_t cols = m[k][0].size();
  if (e >= m[k].size() * cols) return std::nullopt;
  return m[k][e / cols][e % cols].get<double>();
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
          plot.lines.push_back({"#" + std::to_string(e), cols[0], cols.back()});
      }
    }
    const size_t ne = seeds[0]["traces"][name].size();
    for (size_t e = 0; e < ne && e < kMaxLines; ++e)
      if (auto v = teacher_value(model, name, e))
        plot.lines.push_back(
            {e == 0 ? "teacher" : "", {cols[0].front(), cols[0].back()}, {*v, *v}, true});
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

std::string replot_from_file(const std::string& path, const std::string& out_dir) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the file");
  json j;
  try {
    j = json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  } catch (const json::parse_error& e) {
    throw std::runtime_error(path + ": JSON syntax error: " + e.what());
  }
  if (j.value("format", "") != "soma-microcircuit-1")
    throw std::runtime_error(path + ": not a microcircuit model.json");
  std::string dir = out_dir.empty() ? std::filesystem::path(path).parent_path().string() : out_dir;
  if (dir.empty()) dir = ".";
  std::filesystem::create_directories(dir);
  write_plots(j, dir);
  return summarize(j);
}

}  // namespace soma::mc
