#pragma once
// CIFAR-10 with a spiking conv network (Norse's `cifar10` task): the raw [0, 1] image is the
// input current of the first conv layer at every one of seq_length steps; Norse's 4-conv LIF
// network (model.hpp) ends in an LI read-out whose voltage's maximum over time gives the class
// scores; the loss is cross-entropy with label smoothing 0.2. Training images are augmented with
// a random crop (zero padding 4) and a horizontal flip; in training, 0.001 N(0, 1) is added to
// the read-out voltages before the maximum, as Norse does. Top-1 and top-5 accuracy are logged
// (the validation split each epoch, the test split at the end). --device cuda runs the network,
// the noise and the loss on the GPU; batches are loaded and augmented on the host.
// Norse's defaults: seq_length 128, batch 32, Adam 2e-3 with weight decay 1e-5 (or SGD with
// momentum 0.9), StepLR(5, 0.2) off (--lr_schedule step turns it on), max_epochs 1000, seed 1234.
// Data: CIFAR-10's binary version (data_batch_1..5.bin, test_batch.bin) in --data_dir; missing
// files stop the run before training with a message naming them (exit code 2). Validation: the
// last val_fraction of the training set.
#include <memory>

#include "core/random/rng.hpp"
#include "tasks/cifar10/model.hpp"
#include "tasks/framework/image_splits.hpp"
#include "tasks/framework/trainer.hpp"

namespace soma {

class Cifar10Task : public TrainingTask {
 public:
  Cifar10Task();
  std::string name() const override { return "cifar10"; }
  std::string description() const override {
    return "classify CIFAR-10 images with Norse's 4-conv spiking network (binary data files)";
  }
  std::string finish() override;
  nir::Graph to_nir() const override;
  void init_from_nir(const nir::Graph& g) override { model_->import_nir(nir::Loader(g)); }
  // Every op of the model, its loss and read-out noise has a CUDA path (docs/cuda.md).
  bool runs_on_cuda(const ParamValues&) const override { return true; }

 protected:
  void build(const ParamValues& v) override;
  nn::Module& model() const override { return *model_; }
  int64_t batches_per_epoch() const override { return data_.batches_per_epoch(); }
  BatchStats train_batch(int64_t epoch, int64_t batch) override;
  EvalStats evaluate(bool test) override;
  void publish_pictures() override;
  void save_state(Metadata& meta) const override;
  void load_state(const Checkpoint& c) override;

 private:
  // Images (B, 3, 32, 32) -> per-class scores (B, 10): max over time of the read-out voltage.
  Tensor scores(const Tensor& images, bool training);
  std::shared_ptr<Cifar10Net> model_;
  ImageLoaders data_;
  double test_top5_ = 0;
  Tensor last_voltages_;
  Rng augment_rng_{1}, noise_rng_{2};
  Device device_ = Device::cpu;  // --device: the model's; batches move as they are scored
};

}  // namespace soma
