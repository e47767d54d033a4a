#pragma once
// Store/recall memory with a recurrent spiking network (Norse's `memory` task): 20 Poisson inputs
// (2 bits + store + recall, populations of 5) -> recurrent hidden layer -> LI read-out 20->2.
// Models: lsnnlif (10 LIF + 10 adaptive LSNN neurons, the default), lsnn (20 LSNN), lif (20 LIF);
// v_th 0.5, beta 1.8, tau_adapt_inv e^-2 (adaptation time constant ~7.4 s, longer than a
// sample). Loss: binary cross-entropy of the softmax of the read-out's mean voltage in each
// recall period, plus a firing-rate penalty reg * mean(((rate - target) / target)^2): relative,
// because an absolute (rate - target)^2 in Hz^2 swamps the task loss at reg 1e-2 and stops
// learning (measured: 62% recall instead of 78% after 240 steps). Norse's
// defaults: max_epochs 300, batch 128, Adam 0.01, 512 samples, StepLR(100, 0.3), rate 100 Hz,
// regularisation 1e-2 with target 10 Hz, early stop when the validation loss <= 0.05.
#include <memory>

#include "core/nir/export.hpp"
#include "core/nir/load.hpp"
#include "core/nn/lif_modules.hpp"
#include "core/nn/lsnn_modules.hpp"
#include "core/nn/spiking_layers.hpp"
#include "tasks/framework/trainer.hpp"
#include "tasks/memory/memory_data.hpp"

namespace soma {

class MemoryNet : public nn::Module {
 public:
  MemoryNet(const std::string& kind, int64_t inputs, const Surrogate& s, Rng& rng);
  Tensor forward(const Tensor& x) override;  // (T, B, inputs) -> voltages (T, B, 2)
  // Model lif only: NIR has no adaptive-threshold (LSNN) neuron.
  void export_nir(nir::Builder& b) const;
  void import_nir(const nir::Loader& l);
  Tensor spikes;  // hidden spikes (T, B, 20) of the last forward

 private:
  std::shared_ptr<nn::LIFRecurrent> lif_;
  std::shared_ptr<nn::LSNNRecurrent> lsnn_;
  std::shared_ptr<nn::SpikingLinear> readout_;
};

class MemoryTask : public TrainingTask {
 public:
  MemoryTask();
  std::string name() const override { return "memory"; }
  std::string description() const override {
    return "store a bit and recall it later with an adaptive recurrent SNN (LSNN)";
  }
  nir::Graph to_nir() const override;
  void init_from_nir(const nir::Graph& g) override;
  // --device cuda, all three models: the recurrent layers, read-out, softmax, binary
  // cross-entropy and rate penalty run on the GPU; batches are drawn on the host.
  bool runs_on_cuda(const ParamValues&) const override { return true; }
  std::optional<std::string> web_query() const override {
    return "samples=64&batch_size=8&period_length=25&periods=8&epochs=50";
  }

 protected:
  void build(const ParamValues& v) override;
  nn::Module& model() const override { return *model_; }
  int64_t batches_per_epoch() const override;
  BatchStats train_batch(int64_t epoch, int64_t batch) override;
  EvalStats evaluate(bool test) override;
  bool goal_reached(const EvalStats& val) const override;
  void publish_pictures() override;

 private:
  // A batch's results on the model's device; the host reads them in one to_host.
  struct Result {
    Tensor loss, bce, probs;  // bce: the loss without the rate penalty; probs (P, B, 2)
    int64_t count = 0;        // recall periods
  };
  Result run(const MemoryBatch& b);
  int64_t count_correct(const MemoryBatch& b, const Tensor& probs) const;
  void publish_sample(const MemoryBatch& b, const Tensor& v, const Tensor& spikes);
  std::vector<uint64_t> seeds(uint64_t split, int64_t begin, int64_t end) const;
  MemoryDataOptions data_;
  std::shared_ptr<MemoryNet> model_;
  std::vector<int64_t> order_;
  Tensor last_voltages_;
  int64_t order_epoch_ = -1;
  Device device_ = Device::cpu;
};

}  // namespace soma
