#pragma once
// The seed experiment's params.json (Phaseless-Alignment-Learning, snapshot 713a899) as a struct.
//
// Every key of the seed template is accepted, with the template's values as defaults; the keys
// the seed code read but the template lacks default to settling_time = 100 ms and
// copy_teacher_weights = copy_teacher_voltages = false. Repeated "_comment" keys are ignored.
// Extensions for the published PAL version: topology ("skip" | "layered"), noise_type
// ("white" | "OU"), tauxi, tauHP, tauLO (both default to tausyn, as in the seed code),
// init_teacher_{WPP,WIP,BPP,BPI}_range, model_type "LDRL" and "PAL", noise_mode "const".
// An unknown key or a value of the wrong type is a ParamError naming the file, the key, what was
// expected and what was found. Times are in ms, learning rates in 1/ms.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace soma::mc {

using Range = std::array<double, 2>;

struct McParams {
  double dt = 1e-2, Tpres = 1, dtxi = 1e-2, tausyn = 1e-2, taueps = 1, Tbw = 1;
  int64_t dataset_size = 100, epochs = 100;
  std::vector<int64_t> layers{1, 1, 1};
  std::vector<std::string> activation{"soft_relu"};  // one name, or one per pyramidal layer
  std::string model_type = "FA";                     // BP, FA, DTPDRL, LDRL, PAL
  std::vector<double> noise_scale{0.1, 0.1};
  double noise_deg = 30;
  std::string noise_mode = "uP_adaptive";  // uP, vapi, uP_adaptive, const
  double gl = 0.03, gbas = 0.1, gapi = 0.06, gden = 0.1, gnI = 0.06, gntgt = 0.06;
  std::vector<double> eta_fw{50, 10}, eta_bw{0}, eta_IP{20}, eta_PI{0};
  Range init_WPP_range{-1, 1}, init_WIP_range{-1, 1}, init_BPP_range{-1, 1}, init_BPI_range{-1, 1};
  std::optional<Range> init_teacher_WPP_range, init_teacher_WIP_range, init_teacher_BPP_range,
      init_teacher_BPI_range;
  std::vector<double> alpha{0, 0};
  std::vector<uint64_t> random_seed{325551, 333333, 111111};
  bool init_in_SPS = true, inter_low_pass = false, pyr_hi_pass = true, dWPP_low_pass = false,
       gate_regularizer = false;
  std::string input_signal = "step";
  int64_t rec_per_steps = 100;
  std::set<std::string> rec{"MSE", "WPP", "WIP"};  // the rec_* keys set to true
  double settling_time = 100;
  bool copy_teacher_weights = false, copy_teacher_voltages = false;
  std::string topology = "skip", noise_type = "white";
  double tauxi = 0.1;
  std::optional<double> tauHP, tauLO;

  nlohmann::json raw;  // the file as read (last value of repeated keys), saved in model.json

  bool records(const std::string& what) const { return rec.count(what) > 0; }
  double tau_hp() const { return tauHP.value_or(tausyn); }
  double tau_lo() const { return tauLO.value_or(tausyn); }
};

// The names a rec_<name> key may take.
const std::vector<std::string>& recordable_names();

// `source` names the origin in messages (the file path).
McParams params_from_json(const nlohmann::json& j, const std::string& source);
McParams load_params_file(const std::string& path);
// Cross-key checks (layer count vs. per-layer lists, known names); throws ParamError.
void validate(const McParams& p, const std::string& source);

// A per-layer list entry: a single value applies to every layer.
double per_layer(const std::vector<double>& v, size_t i);

}  // namespace soma::mc
