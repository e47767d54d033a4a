#include "tasks/speech_commands/models.hpp"

#include <stdexcept>

#include "core/encode/encoders.hpp"
#include "core/neuron/lif_learnable.hpp"
#include "core/ops/ops.hpp"

namespace soma {

SpeechModel::SpeechModel(const SpeechModelOptions& o, Rng& rng) : o_(o) {
  feature_mean = register_buffer("feature_mean", Tensor::zeros({o.inputs}));
  feature_std = register_buffer("feature_std", Tensor::ones({o.inputs}));
  if (o.kind == "lif") {
    LIFParameters p;
    p.surrogate = o.surrogate;
    p.dt = o.dt;
    lif_ = register_module(
        "rec", nn::make_lif_recurrent(o.inputs, o.hidden, rng, p, o.learn_neuron_params));
  } else if (o.kind == "lsnn") {
    LSNNParameters p;
    p.surrogate = o.surrogate;
    p.dt = o.dt;
    lsnn_ = register_module("rec", std::make_shared<nn::LSNNRecurrent>(o.inputs, o.hidden, rng, p));
  } else if (o.kind == "lstm") {
    lstm_ = register_module("lstm", std::make_shared<nn::LSTM>(o.inputs, o.hidden, rng));
    linear_readout_ =
        register_module("readout", std::make_shared<nn::Linear>(o.hidden, o.outputs, rng));
    return;
  } else {
    throw std::invalid_argument("speech model must be lif, lsnn or lstm, not '" + o.kind + "'");
  }
  LIParameters li;  // Norse's LILinearCell with the model's dt
  li.dt = o.dt;
  li_readout_ = register_module(
      "readout",
      std::make_shared<nn::SpikingLinear>(o.hidden, o.outputs, li_scan_config(li), false, rng));
}

Tensor SpeechModel::forward(const Tensor& features) {
  Tensor x = (features - feature_mean) / (feature_std / o_.input_scale);
  if (lstm_) {
    (*lstm_)(x);
    return (*linear_readout_)(lstm_->h_n);
  }
  Tensor z = lif_ ? (*lif_)(x) : (*lsnn_)(x);
  hidden_spikes = z.detach();
  Tensor v = (*li_readout_)(z);
  readout_voltages = v.detach();
  if (o_.decode == "max") return max_decode(v);
  if (o_.decode == "mean") return mean(v, 0);
  return last_decode(v);
}

void SpeechModel::refuse_non_lif() const {
  if (lsnn_)
    nir::Builder::unsupported("rec", "LSNNRecurrent",
                              "NIR has no adaptive-threshold neuron (train with --model lif)");
  if (lstm_)
    nir::Builder::unsupported("lstm", "LSTM", "NIR has no LSTM cell (train with --model lif)");
}

void SpeechModel::export_nir(nir::Builder& b) const {
  refuse_non_lif();
  const std::string in = b.input({o_.inputs});
  b.output(b.spiking_linear("readout", *li_readout_, b.lif_recurrent("rec", *lif_, in)),
           {o_.outputs});
}

void SpeechModel::import_nir(const nir::Loader& l) {
  refuse_non_lif();
  l.lif_recurrent("rec", *lif_);
  l.spiking_linear("readout", *li_readout_);
}

}  // namespace soma
