#pragma once
// What a run leaves in its run folder (runs/microcircuit-<time> by default; with --beside_params
// the params file's folder, as the seed's runner did); all files written atomically:
//   model.json            params, teacher weights, every seed's recordings and final state; enough
//                         to re-plot without re-running (soma microcircuit --load model.json)
//   mse.csv, mse.svg      MSE per seed (fw_bw), the plot a moving average over 10 Tpres, log y
//   angles.csv            angle(B_k, W^T) and the phi'-weighted angle per seed and hidden layer
//   angle_layerK.svg, angle_phi_layerK.svg
//   <trace>.csv, <trace>.svg  every rec_* trace (WPP_layer1, noise_layer1, epsilon_LO, ...):
//                         the CSV with every seed, the plot the first seed's elements (at most
//                         20, so it stays readable), teacher weights as dashed reference lines
#include <nlohmann/json.hpp>
#include <string>

#include "tasks/microcircuit/experiment.hpp"

namespace soma::mc {

nlohmann::json to_json(const Experiment& e);
// Writes model.json and the plots into `dir`.
void write_outputs(const Experiment& e, const std::string& dir);
// CSV and SVG files from a model.json object.
void write_plots(const nlohmann::json& model, const std::string& dir);
// One line: final MSE and angles per seed.
std::string summarize(const nlohmann::json& model);
// The largest model.json --load reads (traces of long runs reach tens of MiB).
constexpr int64_t kMaxModelFileBytes = int64_t(1) << 30;
// --load: reads model.json, checks every field the plots read (an error names the file and the
// field), re-plots into `dir` (empty: the file's folder), returns the summary line.
std::string replot_from_file(const std::string& model_json_path, const std::string& dir = "");

}  // namespace soma::mc
