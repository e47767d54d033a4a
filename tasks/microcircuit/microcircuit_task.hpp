#pragma once
// `soma microcircuit --params run01/params.json --task bw_only|fw_bw [--load run01/model.json]`:
// the seed's experiments on learning the backward weights of cortical microcircuits (see
// experiment.hpp). --params takes the seed's params.json format (params.hpp); outputs go to the
// run folder (runs/microcircuit-<time>, or that file's folder with --beside_params; output.hpp).
// The run folder's plots are the task's own (per seed); its telemetry series go to series.csv. One
// step() is chunk_ms of simulated time for every seed; telemetry carries the seed-mean MSE (fw_bw)
// and angle(B, W^T) per hidden layer, with one series per seed overlaid. With --load nothing is
// simulated: finish() re-plots model.json into its folder. Images named "state/..." hold the first
// seed's potentials (soma, basal, apical per pyramidal layer; soma, dendrite per interneuron
// population) and weights, for the GUI's microcircuit diagram.
#include <memory>
#include <nlohmann/json.hpp>

#include "tasks/framework/task.hpp"
#include "tasks/microcircuit/experiment.hpp"

namespace soma {

// The telemetry the microcircuit publishes; ui/ finds it by these names. Layers and interneuron
// populations count from 1; population k mirrors pyramidal layer k + 1.
struct MicrocircuitKeys {
  // Every "state/..." image is panel state (kPanelStatePrefix): the GUI's diagram only.
  static constexpr const char* mse = "mse";  // x: simulated time (s)
  static std::string soma(size_t layer) { return "state/soma layer" + std::to_string(layer); }
  static std::string basal(size_t layer) { return "state/basal layer" + std::to_string(layer); }
  static std::string apical(size_t layer) { return "state/apical layer" + std::to_string(layer); }
  static std::string forward_weights(size_t layer) {
    return "state/W layer" + std::to_string(layer);
  }
  static std::string backward_weights(size_t layer) {
    return "state/B layer" + std::to_string(layer);
  }
  static std::string inter_soma(size_t pop) { return "state/inter soma pop" + std::to_string(pop); }
  static std::string inter_dendrite(size_t pop) {
    return "state/inter dendrite pop" + std::to_string(pop);
  }
  // angle(B, W^T) of hidden layer `layer` in degrees (the seed mean), x: simulated time (s).
  static std::string angle(size_t layer) { return "angle_layer" + std::to_string(layer); }
  // The same for each seed (counted from 1), overlaid on angle(layer); only with two seeds or more.
  static std::string angle_of_seed(size_t layer, size_t seed) {
    return angle(layer) + " seed " + std::to_string(seed);
  }
};

class MicrocircuitTask : public Task {
 public:
  MicrocircuitTask();
  std::string name() const override { return "microcircuit"; }
  std::string description() const override {
    return "cortical microcircuits learning their backward weights (BP, FA, PAL)";
  }
  // The web page shows PAL's backward-weight alignment (bw_only, 5-20-10-20-5, three seeds):
  // the angles start near 90 deg and visibly fall within a minute.
  std::optional<std::string> web_query() const override {
    return "task=bw_only&params_file=assets/microcircuit/web/params.json&chunk_ms=5";
  }
  // Validates a seed-format params.json and stores its path in `params_file`.
  void apply_params_file(ParamValues& values, const std::string& path) const override;
  std::string default_run_folder(const ParamValues& v) const override;
  void setup(const ParamValues& values, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  void update_params(const ParamValues& v) override;
  std::string finish() override;

  const mc::Experiment* experiment() const { return exp_.get(); }

 private:
  void publish();
  void check_finite() const;
  void publish_state();  // the first seed's compartments and weights, for the GUI's diagram
  std::unique_ptr<mc::Experiment> exp_;
  std::string load_path_, out_dir_;
  bool beside_params_ = false;
  int64_t chunk_steps_ = 1000;
  size_t published_ = 0;  // records already in telemetry
};

// For the CLI's --load: re-plots a model.json into its folder; returns the summary line.
std::string microcircuit_replot(const std::string& model_json_path);

}  // namespace soma
