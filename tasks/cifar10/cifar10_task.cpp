#include "tasks/cifar10/cifar10_task.hpp"

#include <algorithm>
#include <cstdio>

#include "core/autograd/grad_mode.hpp"
#include "core/data/augment.hpp"
#include "core/data/catalog.hpp"
#include "core/encode/encoders.hpp"
#include "core/ops/ops.hpp"
#include "tasks/framework/accuracy.hpp"
#include "tasks/framework/class_names.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/framework/image_splits.hpp"

namespace soma {
namespace {

constexpr int kCropPadding = 4;
constexpr float kReadoutNoise = 0.001f;  // Norse's tie-breaking noise on the read-out voltages

std::string percent(double fraction) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100 * fraction);
  return buf;
}

}  // namespace

Cifar10Task::Cifar10Task() {
  table_
      .add_string("data_dir", "",
                  "folder with data_batch_1.bin ... data_batch_5.bin and test_batch.bin "
                  "(default: .deps/data/cifar-10-batches-bin)")
      .restart();
  table_.add_int("seq_length", 128, "time steps per image").range(1, 10000).restart();
  table_
      .add_int("channels", 64,
               "channels of the first conv layer; the others have 2x, 4x, 4x (Norse: 64)")
      .range(1, 1024)
      .restart();
  table_.add_float("v_th", 0.4, "threshold of the conv layers' LIF neurons")
      .range(0.01, 100)
      .restart();
  table_.add_float("label_smoothing", 0.2, "label smoothing of the cross-entropy loss").range(0, 1);
  table_.add_bool("augment", true, "random crop (zero padding 4) and horizontal flip in training");
  table_
      .add_bool("normalize", false,
                "subtract CIFAR-10's channel means and divide by their spread (Norse: raw [0, 1])")
      .restart();
  add_image_split_params(table_);
  add_seed_param(table_, 1234);
  add_device_param(table_);
  add_surrogate_params(table_);
  add_trainer_params(table_, {1000, 32, {.learning_rate = 2e-3, .weight_decay = 1e-5}});
}

void Cifar10Task::build(const ParamValues& v) {
  const ImageSplits data = load_image_splits("cifar10", v, v.get_bool("normalize"));
  const uint64_t seed = uint64_t(v.get_int("seed"));
  device_ = v.get_string("device") == "cuda" ? Device::cuda : Device::cpu;
  data_ = ImageLoaders(data, v.get_int("batch_size"), seed, device_ == Device::cuda);
  augment_rng_ = Rng(seed ^ 0xA06);
  noise_rng_ = Rng(seed ^ 0x5EED);
  Rng rng(seed);
  model_ = std::make_shared<Cifar10Net>(v.get_int("channels"), float(v.get_float("v_th")),
                                        surrogate_of(v), rng);
  // The weights move once, before the trainer makes the optimizer.
  if (device_ == Device::cuda) model_->to_device(device_);
  // On the axes of the top-1 series: validations at steps, the test after the last epoch.
  telemetry_.describe("val top-5 accuracy", {"step", "accuracy", false, ""});
  telemetry_.describe("test top-5 accuracy", {"epoch", "accuracy", false, ""});
}

nir::Graph Cifar10Task::to_nir() const {
  nir::Builder b;
  model_->export_nir(b);
  const bool norm = values().get_bool("normalize");
  b.graph.metadata = {
      {"soma.task", name()},
      {"soma.input", std::string("the image (T, B, 3, 32, 32) in [0, 1]") +
                         (norm ? ", normalised by channel," : "") +
                         " repeated at every step as the input current"},
      {"soma.output", "read-out voltages (T, B, 10); the class is the argmax of the max over T"},
      {"soma.dt", "0.001"},
      {"soma.seq_length", std::to_string(values().get_int("seq_length"))}};
  return b.graph;
}

Tensor Cifar10Task::scores(const Tensor& images, bool training) {
  Tensor v = (*model_)(constant_current_encode(images.to(device_), values().get_int("seq_length")));
  last_voltages_ = v.detach();
  // Drawn on the host (the same stream on either device), (T, B, 10): a few KB to copy.
  if (training) v = v + Tensor::randn(v.shape(), noise_rng_).to(device_) * kReadoutNoise;
  return max_decode(v);  // (B, 10)
}

BatchStats Cifar10Task::train_batch(int64_t epoch, int64_t batch) {
  Batch b = data_.train_batch(epoch, batch);
  if (values().get_bool("augment"))
    b.images = random_crop_flip(b.images, kCropPadding, augment_rng_);
  model_->train();
  Tensor s = scores(b.images, true);
  Tensor loss =
      cross_entropy(s, b.targets.to(device_), float(values().get_float("label_smoothing")));
  loss.backward();
  const Tensors h = to_host({loss, s});  // one host wait on cuda, not two
  return {h[0].item(), count_top_k(h[1], b.targets), b.targets.numel()};
}

EvalStats Cifar10Task::evaluate(bool test) {
  NoGrad no_grad;
  model_->eval();
  DataLoader& loader = data_.eval(test);
  const float smoothing = float(values().get_float("label_smoothing"));
  double loss = 0;
  int64_t top1 = 0, top5 = 0, count = 0;
  const int64_t limit = eval_batch_limit(test);
  for (int64_t k = 0; k < limit; ++k) {
    auto b = loader.next();
    if (!b) break;
    Tensor s = scores(b->images, false);
    const Tensors h =
        to_host({cross_entropy(s, b->targets.to(device_), smoothing, Reduction::sum), s});
    loss += double(h[0].item());
    top1 += count_top_k(h[1], b->targets, 1);
    top5 += count_top_k(h[1], b->targets, 5);
    count += b->targets.numel();
    report_eval_batch(test, k + 1, loader.batches_per_epoch());
  }
  const double n = double(std::max<int64_t>(count, 1)), top5_rate = double(top5) / n;
  if (test)
    test_top5_ = top5_rate;
  else
    telemetry_.add("val top-5 accuracy", double(steps_done()), top5_rate);
  return {loss / n, double(top1) / n, count};
}

// The augmentation and read-out noise streams continue where the checkpoint left them, so a
// resumed run crops, flips and perturbs as an uninterrupted one would.
void Cifar10Task::save_state(Metadata& meta) const {
  meta["cifar10.augment_rng"] = augment_rng_.state();
  meta["cifar10.noise_rng"] = noise_rng_.state();
}

void Cifar10Task::load_state(const Checkpoint& c) {
  // Older checkpoints lack them: the streams restart.
  if (c.has("cifar10.augment_rng")) augment_rng_ = c.get_rng("cifar10.augment_rng");
  if (c.has("cifar10.noise_rng")) noise_rng_ = c.get_rng("cifar10.noise_rng");
}

std::string Cifar10Task::finish() {
  std::string line = TrainingTask::finish();
  telemetry_.add("test top-5 accuracy", double(epochs_done()), test_top5_);
  return line + ", top-5 " + percent(test_top5_);
}

void Cifar10Task::publish_pictures() {
  NoGrad no_grad;
  model_->eval();
  Batch b = data_.first_test_batch();
  scores(b.images, false);
  const Tensor z = model_->hidden_spikes.cpu();  // (T, B, c, 32, 32)
  const Tensor voltages = last_voltages_.cpu();
  const int64_t T = z.size(0), per_sample = z.numel() / (T * z.size(1));
  Raster r{"conv1 spikes (first test image)", T, std::min<int64_t>(per_sample, 200), {}};
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = 0; n < r.neurons; ++n) r.spikes.push_back(z.data()[t * z.numel() / T + n] > 0);
  telemetry_.set(std::move(r));
  Traces tr{"read-out voltages (first test image)", T,  10, {},
            image_class_names("cifar10"),           {}, {}};
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < 10; ++c) tr.values.push_back(voltages.at({t, 0, c}));
  telemetry_.set(std::move(tr));
}

}  // namespace soma
