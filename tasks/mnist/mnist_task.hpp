#pragma once
// MNIST / Fashion-MNIST with a spiking network (Norse's `mnist` task and its Lightning variant):
// images -> encoder (seq_length steps: Norse's constant-current LIF encoder by default, or the
// image itself as a current, or Poisson spikes) -> conv or recurrent SNN -> LI
// read-out; max over time of the voltage, log-softmax, NLL. Norse's defaults: epochs 10,
// batch 32, Adam 2e-3, seq_length 200, SuperSpike, seed 1234, model conv. Validation uses the
// last val_fraction of the training set each epoch; the test split is evaluated at the end.
#include <memory>

#include "core/random/rng.hpp"
#include "tasks/framework/image_splits.hpp"
#include "tasks/framework/trainer.hpp"
#include "tasks/mnist/models.hpp"

namespace soma {

class MnistTask : public TrainingTask {
 public:
  MnistTask();
  std::string name() const override { return "mnist"; }
  std::string description() const override {
    return "classify MNIST / Fashion-MNIST digits with a spiking conv or recurrent network";
  }
  nir::Graph to_nir() const override;
  void init_from_nir(const nir::Graph& g) override { model_->import_nir(nir::Loader(g)); }
  std::map<std::string, std::string> norse_module_names() const override {
    return model_->norse_module_names();
  }

 protected:
  void build(const ParamValues& v) override;
  bool runs_on_cuda(const ParamValues& v) const override;
  nn::Module& model() const override { return *model_; }
  int64_t batches_per_epoch() const override { return data_.batches_per_epoch(); }
  BatchStats train_batch(int64_t epoch, int64_t batch) override;
  EvalStats evaluate(bool test) override;
  void publish_pictures() override;
  void save_state(Metadata& meta) const override;
  void load_state(const Checkpoint& c) override;

 private:
  Tensor encode(const Tensor& images);  // (B, ...) -> (T, B, ...)
  // Encoded input -> read-out voltages (T, B, 10) -> per-class scores (B, 10).
  Tensor scores(const Tensor& encoded);
  std::shared_ptr<MnistModel> model_;
  ImageLoaders data_;
  int64_t steps_ = 0;
  Tensor last_voltages_;
  Rng encoder_rng_{1};  // Poisson encoder
  Device device_ = Device::cpu;
};

}  // namespace soma
