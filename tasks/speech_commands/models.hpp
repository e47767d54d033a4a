#pragma once
// Norse's speech_commands models (norse/task/speech_commands/model.py), time-first: standardised
// log-mel features (T, B, 80) -> class scores (B, 13).
//   lif   recurrent LIF 80 -> hidden (128), no autapses, + LI read-out hidden -> 13
//   lsnn  the same with adaptive LSNN neurons (Norse's defaults: beta 1.8, tau_adapt_inv 1/800)
//   lstm  the non-spiking baseline: LSTM 80 -> hidden, Linear hidden -> 13 on the last h
// The spiking models decode the read-out voltage as Norse does, at the last step ("last"), or
// optionally by its maximum or mean over time: the LI read-out forgets in ~20 steps (tau_mem
// 10 ms at dt 1 ms), so "last" only sees what the recurrent layer still holds at the end.
// dt sets how much neuron time one 12.5 ms frame takes: Norse's 1 ms gives the membrane a time
// constant of 10 frames and the synapse 5; a smaller dt slows every neuron (hidden and read-out)
// relative to the frames, so a word of 20-40 frames stays in the membranes.
// The features' per-bin mean and standard deviation (from the training set) are buffers, so a
// checkpoint carries the normalisation with the weights.
#include <memory>
#include <string>

#include "core/nir/export.hpp"
#include "core/nir/load.hpp"
#include "core/nn/lif_modules.hpp"
#include "core/nn/linear.hpp"
#include "core/nn/lsnn_modules.hpp"
#include "core/nn/lstm.hpp"
#include "core/nn/spiking_layers.hpp"

namespace soma {

struct SpeechModelOptions {
  std::string kind = "lif";  // lif, lsnn, lstm
  int64_t inputs = 80, hidden = 128, outputs = 13;
  std::string decode = "last";  // last, max, mean (spiking models)
  float dt = 1e-3f;             // seconds of neuron time per frame (spiking models)
  float input_scale = 1;        // standardised features times this are the input currents
  Surrogate surrogate{};
  bool learn_neuron_params = false;  // model lif: LIFRecurrentLearnable
};

class SpeechModel : public nn::Module {
 public:
  SpeechModel(const SpeechModelOptions& o, Rng& rng);
  // Raw log-mel features (T, B, inputs) -> scores (B, outputs). Standardises them first.
  Tensor forward(const Tensor& features) override;
  Tensor feature_mean, feature_std;  // (inputs) buffers
  Tensor hidden_spikes;              // (T, B, hidden) of the last forward (spiking models)
  Tensor readout_voltages;           // (T, B, outputs) of the last forward (spiking models)
  // Model lif only, as a NIR graph with this model's dt (nir::Builder(dt())): the standardised
  // features x input_scale (inputs) are its input currents, the read-out voltages (outputs) its
  // output; the standardisation and the decoding stay outside the graph. lsnn and lstm have no
  // NIR equivalent: a std::invalid_argument naming the layer and its type, both ways.
  void export_nir(nir::Builder& b) const;
  void import_nir(const nir::Loader& l);
  float dt() const { return o_.dt; }

 private:
  void refuse_non_lif() const;
  SpeechModelOptions o_;
  std::shared_ptr<nn::LIFRecurrent> lif_;
  std::shared_ptr<nn::LSNNRecurrent> lsnn_;
  std::shared_ptr<nn::LSTM> lstm_;
  std::shared_ptr<nn::SpikingLinear> li_readout_;
  std::shared_ptr<nn::Linear> linear_readout_;
};

}  // namespace soma
