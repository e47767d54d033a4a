#include "tasks/microcircuit/params.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "core/io/json_text.hpp"
#include "core/params/param_spec.hpp"
#include "core/tensor/checked_size.hpp"

namespace soma::mc {
namespace {

using json = nlohmann::json;

struct Ctx {
  const std::string& source;
  const std::string& key;
  [[noreturn]] void fail(const std::string& expected, const json& v) const {
    throw ParamError::about(
        source, key, "expected " + expected + ", found " + v.type_name() + " " + json_excerpt(v));
  }
};

double num(const Ctx& c, const json& v) {
  if (!v.is_number()) c.fail("a number", v);
  return v.get<double>();
}
int64_t integer(const Ctx& c, const json& v) {
  if (!v.is_number_integer()) c.fail("an integer", v);
  return v.get<int64_t>();
}
bool boolean(const Ctx& c, const json& v) {
  if (!v.is_boolean()) c.fail("a boolean", v);
  return v.get<bool>();
}
std::string str(const Ctx& c, const json& v) {
  if (!v.is_string()) c.fail("a string", v);
  return v.get<std::string>();
}
// A number or a list of numbers.
std::vector<double> nums(const Ctx& c, const json& v) {
  if (v.is_number()) return {v.get<double>()};
  if (!v.is_array() || v.empty()) c.fail("a number or a non-empty list of numbers", v);
  std::vector<double> out;
  for (const json& e : v) {
    if (!e.is_number()) c.fail("a list of numbers", v);
    out.push_back(e.get<double>());
  }
  return out;
}
Range range(const Ctx& c, const json& v) {
  if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
    c.fail("a list of two numbers [lo, hi]", v);
  return {v[0].get<double>(), v[1].get<double>()};
}
std::vector<std::string> strs(const Ctx& c, const json& v) {
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array() || v.empty()) c.fail("a string or a list of strings", v);
  std::vector<std::string> out;
  for (const json& e : v) {
    if (!e.is_string()) c.fail("a list of strings", v);
    out.push_back(e.get<std::string>());
  }
  return out;
}
std::vector<int64_t> ints(const Ctx& c, const json& v, bool allow_scalar) {
  if (allow_scalar && v.is_number_integer()) return {v.get<int64_t>()};
  if (!v.is_array() || v.empty()) c.fail("a non-empty list of integers", v);
  std::vector<int64_t> out;
  for (const json& e : v) {
    if (!e.is_number_integer()) c.fail("a list of integers", v);
    out.push_back(e.get<int64_t>());
  }
  return out;
}

using Setter = std::function<void(McParams&, const Ctx&, const json&)>;

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = [] {
    std::map<std::string, Setter> t;
    auto number = [&](const char* k, double McParams::*f) {
      t[k] = [f](McParams& p, const Ctx& c, const json& v) { p.*f = num(c, v); };
    };
    auto integ = [&](const char* k, int64_t McParams::*f) {
      t[k] = [f](McParams& p, const Ctx& c, const json& v) { p.*f = integer(c, v); };
    };
    auto flag = [&](const char* k, bool McParams::*f) {
      t[k] = [f](McParams& p, const Ctx& c, const json& v) { p.*f = boolean(c, v); };
    };
    auto text = [&](const char* k, std::string McParams::*f) {
      t[k] = [f](McParams& p, const Ctx& c, const json& v) { p.*f = str(c, v); };
    };
    auto list = [&](const char* k, std::vector<double> McParams::*f) {
      t[k] = [f](McParams& p, const Ctx& c, const json& v) { p.*f = nums(c, v); };
    };
    auto rng = [&](const char* k, Range McParams::*f) {
      t[k] = [f](McParams& p, const Ctx& c, const json& v) { p.*f = range(c, v); };
    };
    auto opt_rng = [&](const char* k, std::optional<Range> McParams::*f) {
      t[k] = [f](McParams& p, const Ctx& c, const json& v) { p.*f = range(c, v); };
    };
    auto opt_num = [&](const char* k, std::optional<double> McParams::*f) {
      t[k] = [f](McParams& p, const Ctx& c, const json& v) { p.*f = num(c, v); };
    };
    for (auto [k, f] : {std::pair{"dt", &McParams::dt},
                        {"Tpres", &McParams::Tpres},
                        {"dtxi", &McParams::dtxi},
                        {"tausyn", &McParams::tausyn},
                        {"taueps", &McParams::taueps},
                        {"Tbw", &McParams::Tbw},
                        {"noise_deg", &McParams::noise_deg},
                        {"gl", &McParams::gl},
                        {"gbas", &McParams::gbas},
                        {"gapi", &McParams::gapi},
                        {"gden", &McParams::gden},
                        {"gnI", &McParams::gnI},
                        {"gntgt", &McParams::gntgt},
                        {"settling_time", &McParams::settling_time},
                        {"tauxi", &McParams::tauxi}})
      number(k, f);
    integ("dataset_size", &McParams::dataset_size);
    integ("epochs", &McParams::epochs);
    integ("rec_per_steps", &McParams::rec_per_steps);
    for (auto [k, f] : {std::pair{"init_in_SPS", &McParams::init_in_SPS},
                        {"inter_low_pass", &McParams::inter_low_pass},
                        {"pyr_hi_pass", &McParams::pyr_hi_pass},
                        {"dWPP_low_pass", &McParams::dWPP_low_pass},
                        {"gate_regularizer", &McParams::gate_regularizer},
                        {"copy_teacher_weights", &McParams::copy_teacher_weights},
                        {"copy_teacher_voltages", &McParams::copy_teacher_voltages}})
      flag(k, f);
    for (auto [k, f] : {std::pair{"model_type", &McParams::model_type},
                        {"noise_mode", &McParams::noise_mode},
                        {"input_signal", &McParams::input_signal},
                        {"topology", &McParams::topology},
                        {"noise_type", &McParams::noise_type}})
      text(k, f);
    for (auto [k, f] : {std::pair{"noise_scale", &McParams::noise_scale},
                        {"eta_fw", &McParams::eta_fw},
                        {"eta_bw", &McParams::eta_bw},
                        {"eta_IP", &McParams::eta_IP},
                        {"eta_PI", &McParams::eta_PI},
                        {"alpha", &McParams::alpha}})
      list(k, f);
    for (auto [k, f] : {std::pair{"init_WPP_range", &McParams::init_WPP_range},
                        {"init_WIP_range", &McParams::init_WIP_range},
                        {"init_BPP_range", &McParams::init_BPP_range},
                        {"init_BPI_range", &McParams::init_BPI_range}})
      rng(k, f);
    for (auto [k, f] : {std::pair{"init_teacher_WPP_range", &McParams::init_teacher_WPP_range},
                        {"init_teacher_WIP_range", &McParams::init_teacher_WIP_range},
                        {"init_teacher_BPP_range", &McParams::init_teacher_BPP_range},
                        {"init_teacher_BPI_range", &McParams::init_teacher_BPI_range}})
      opt_rng(k, f);
    opt_num("tauHP", &McParams::tauHP);
    opt_num("tauLO", &McParams::tauLO);
    t["layers"] = [](McParams& p, const Ctx& c, const json& v) { p.layers = ints(c, v, false); };
    t["activation"] = [](McParams& p, const Ctx& c, const json& v) { p.activation = strs(c, v); };
    t["random_seed"] = [](McParams& p, const Ctx& c, const json& v) {
      p.random_seed.clear();
      for (int64_t s : ints(c, v, true)) {
        if (s < 0) c.fail("non-negative seeds", v);
        p.random_seed.push_back(uint64_t(s));
      }
    };
    t["_comment"] = [](McParams&, const Ctx&, const json&) {};
    for (const std::string& name : recordable_names())
      t["rec_" + name] = [name](McParams& p, const Ctx& c, const json& v) {
        if (boolean(c, v))
          p.rec.insert(name);
        else
          p.rec.erase(name);
      };
    return t;
  }();
  return table;
}

void one_of(const std::string& source, const char* key, const std::string& value,
            std::initializer_list<const char*> choices) {
  std::string list;
  for (const char* c : choices) {
    if (value == c) return;
    list += std::string(list.empty() ? "" : ", ") + c;
  }
  throw ParamError::about(source, key, "expected one of {" + list + "}, found \"" + value + "\"");
}

void check_len(const std::string& source, const char* key, size_t have, size_t need) {
  if (have != 1 && have < need)
    throw ParamError::about(source, key,
                            "expected 1 or at least " + std::to_string(need) + " entries, found " +
                                std::to_string(have));
}

// Step counts in double first: Tpres / dt = 1e300, settling_time 1e18 or epochs 9e18 would
// overflow llround and the int64 products, often to 0 steps: a run that "finishes" at once.
// 2^53 steps is beyond any run (a step takes microseconds) and exact in a double.
void check_steps(const McParams& p, const std::string& source) {
  constexpr double kMaxSteps = 9007199254740992.0;
  const double per_sample = std::max(1.0, std::round(p.Tpres / p.dt));
  const double settle = std::round(p.settling_time / p.dt);
  const double total = settle + per_sample * double(p.dataset_size) * double(p.epochs);
  if (!(total <= kMaxSteps)) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "settling_time / dt + epochs x dataset_size x Tpres / dt = %.3g time steps; "
                  "at most 2^53 (about 9e15) are possible",
                  total);
    throw ParamError(source + ": " + buf);
  }
}

// What the experiment holds, in checked arithmetic, against the machine's memory before anything
// is allocated: [1, 2^40, 1] is a valid list of sizes, not a network that fits.
void check_memory(const McParams& p, const std::string& source) {
  try {
    const std::string what = source + ": layers";
    int64_t weights = 0;  // elements of one weight matrix set (W, B, WIP, BI are all this size)
    for (size_t k = 0; k + 1 < p.layers.size(); ++k)
      weights = checked_add(weights, checked_mul(p.layers[k], p.layers[k + 1], what), what);
    const int64_t models = int64_t(p.random_seed.size()) + 1;  // + the teacher
    const int64_t per_sample = std::max<int64_t>(1, std::llround(p.Tpres / p.dt));
    const int64_t epoch_steps = checked_mul(per_sample, p.dataset_size, what);
    const int64_t records =
        std::llround(double(epoch_steps) * double(p.epochs) / double(p.rec_per_steps));
    // 8 matrices of doubles per weight set (weights, their updates and low-passed updates);
    // the teacher's target for every step of an epoch; 2 angles per hidden layer per record.
    int64_t bytes = checked_product({weights, 8, 8, models}, what);
    bytes = checked_add(bytes, checked_product({epoch_steps, p.layers.back(), 8}, what), what);
    bytes = checked_add(bytes, checked_product({p.dataset_size, p.layers.front(), 8}, what), what);
    const int64_t per_record = 2 + 2 * int64_t(p.layers.size());
    bytes = checked_add(bytes, checked_product({records, per_record, 8, models}, what), what);
    check_fits_memory(bytes, source + ": the microcircuit (weights, targets and recordings)");
  } catch (const SizeError& e) {
    throw ParamError(e.what());
  }
}

void check_sizes(const McParams& p, const std::string& source) {
  check_steps(p, source);
  check_memory(p, source);
}

}  // namespace

const std::vector<std::string>& recordable_names() {
  static const std::vector<std::string> names{
      "MSE",      "WPP",        "WIP",         "BPP",     "BPI",       "uP",
      "uP_breve", "rP_breve",   "rP_breve_HI", "uI",      "uI_breve",  "rI_breve",
      "vapi",     "vapi_noise", "noise",       "epsilon", "epsilon_LO"};
  return names;
}

double per_layer(const std::vector<double>& v, size_t i) {
  return v.size() == 1 ? v[0] : v[i];
}

McParams params_from_json(const json& j, const std::string& source) {
  if (!j.is_object())
    throw ParamError(source + ": expected a JSON object of parameters, found " + j.type_name());
  McParams p;
  for (const auto& [key, v] : j.items()) {
    auto it = setters().find(key);
    if (it == setters().end())
      throw ParamError::about(source, key, "unknown key (see tasks/microcircuit/params.hpp)");
    it->second(p, Ctx{source, key}, v);
  }
  p.raw = j;
  validate(p, source);
  return p;
}

McParams load_params_file(const std::string& path) {
  json j;
  try {
    // Bounded size and depth (json_text.hpp). nlohmann keeps the last of repeated keys, which is
    // what the seed's "_comment" keys need.
    j = read_json_file(path);
  } catch (const JsonError& e) {
    throw ParamError(e.what());
  }
  return params_from_json(j, path);
}

void validate(const McParams& p, const std::string& source) {
  if (p.layers.size() < 2) throw ParamError::about(source, "layers", "expected at least 2 layers");
  for (int64_t n : p.layers)
    if (n < 1) throw ParamError::about(source, "layers", "expected sizes >= 1");
  const size_t npyr = p.layers.size() - 1, nhid = npyr - 1;
  one_of(source, "model_type", p.model_type, {"BP", "FA", "DTPDRL", "LDRL", "PAL"});
  one_of(source, "noise_mode", p.noise_mode, {"uP", "vapi", "uP_adaptive", "const"});
  one_of(source, "noise_type", p.noise_type, {"white", "OU"});
  one_of(source, "topology", p.topology, {"skip", "layered"});
  one_of(source, "input_signal", p.input_signal, {"step"});
  for (const std::string& a : p.activation)
    one_of(source, "activation", a,
           {"linear", "relu", "soft_relu", "logistic", "tanh", "hard_sigmoid"});
  check_len(source, "activation", p.activation.size(), npyr);
  check_len(source, "eta_fw", p.eta_fw.size(), npyr);
  check_len(source, "eta_IP", p.eta_IP.size(), p.topology == "layered" ? nhid : 1);
  for (auto [key, v] : {std::pair{"eta_bw", &p.eta_bw},
                        {"eta_PI", &p.eta_PI},
                        {"noise_scale", &p.noise_scale},
                        {"alpha", &p.alpha}})
    check_len(source, key, v->size(), nhid);
  for (auto [key, v] : {std::pair{"dt", p.dt},
                        {"Tpres", p.Tpres},
                        {"dtxi", p.dtxi},
                        {"tausyn", p.tausyn},
                        {"taueps", p.taueps},
                        {"Tbw", p.Tbw},
                        {"tauxi", p.tauxi}})
    if (!(v > 0)) throw ParamError::about(source, key, "expected a positive time");
  if (p.settling_time < 0) throw ParamError::about(source, "settling_time", "expected >= 0");
  if (p.dataset_size < 1 || p.epochs < 0 || p.rec_per_steps < 1)
    throw ParamError(source + ": dataset_size and rec_per_steps must be >= 1, epochs >= 0");
  if (p.random_seed.empty()) throw ParamError::about(source, "random_seed", "expected a seed");
  check_sizes(p, source);
  if (p.model_type == "BP" && p.topology == "skip" && nhid > 1)
    throw ParamError::about(source, "model_type",
                            "BP with the skip topology needs exactly one hidden layer (use "
                            "\"topology\": \"layered\")");
}

}  // namespace soma::mc
