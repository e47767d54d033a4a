#include "tasks/speech_commands/speech_task.hpp"

#include <algorithm>
#include <cstdio>

#include "core/autograd/grad_mode.hpp"
#include "core/ops/ops.hpp"
#include "core/tensor/checked_size.hpp"
#include "tasks/framework/accuracy.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/framework/csv.hpp"
#include "tasks/framework/learned_constants.hpp"

namespace soma {

SpeechCommandsTask::SpeechCommandsTask() {
  table_
      .add_string("data_dir", kSpeechCommandsDataDir,
                  "Speech Commands folder (word folders, validation_list.txt, testing_list.txt, "
                  "_background_noise_/)")
      .restart();
  table_
      .add_string("synthesize", "",
                  "build a synthetic Speech Commands set with espeak-ng in this (new) folder, "
                  "then stop")
      .restart();
  table_.add_int("synth_accents", 8, "--synthesize: espeak-ng English accents")
      .range(1, 8)
      .restart();
  table_
      .add_int("synth_variants", 40,
               "--synthesize: voice variants per accent (1 in 5 held out for test)")
      .range(5, 40)
      .restart();
  table_
      .add_choice(
          "model", "lif", {"lif", "lsnn", "lstm"},
          "lif: recurrent LIF + LI read-out; lsnn: adaptive LIF; lstm: non-spiking baseline")
      .restart();
  table_.add_int("hidden", 128, "recurrent neurons / LSTM units").range(1, 100000).restart();
  add_learn_neuron_params(table_, "model lif");
  table_
      .add_choice("decode", "last", {"last", "max", "mean"},
                  "read-out voltage of the spiking models: at the last step (Norse), max or mean "
                  "over time")
      .restart();
  table_
      .add_float("dt", 1e-3,
                 "neuron time per frame in seconds (Norse: 1 ms); smaller keeps a word longer in "
                 "the membranes")
      .range(1e-5, 1e-2)
      .restart();
  table_.add_float("input_scale", 1.0, "input current per standard deviation of a log-mel feature")
      .range(1e-3, 100)
      .restart();
  table_.add_int("freq_mask", 15, "training: widest frequency mask in mel bins (0: off)")
      .range(0, 80);
  table_.add_int("time_mask", 35, "training: widest time mask in frames (0: off)").range(0, 81);
  table_.add_float("noise_prob", 0.8, "training: share of clips with background noise added")
      .range(0, 1);
  table_.add_float("noise_volume", 0.1, "training: largest volume of the added noise").range(0, 1);
  add_seed_param(table_, 1234);
  add_device_param(table_);
  add_surrogate_params(table_);
  add_trainer_params(table_, {10, 16, {.learning_rate = 1e-4}});
}

void SpeechCommandsTask::setup(const ParamValues& v, const RunContext& ctx) {
  synth_.reset();
  if (const std::string& dir = v.get_string("synthesize"); !dir.empty()) {
    telemetry_.clear();
    keep_values(v);
    synth_ = std::make_unique<SpeechSynthesizer>(SynthOptions{
        dir, v.get_int("synth_accents"), v.get_int("synth_variants"), uint64_t(v.get_int("seed"))});
    return;
  }
  TrainingTask::setup(v, ctx);
}

void SpeechCommandsTask::step() {
  if (!synth_) return TrainingTask::step();
  synth_->step(16);
  telemetry_.progress = double(synth_->made()) / double(synth_->total());
  telemetry_.status = "synthesised " + std::to_string(synth_->made()) + "/" +
                      std::to_string(synth_->total()) + " clips";
}

bool SpeechCommandsTask::done() const {
  return synth_ ? synth_->finished() : TrainingTask::done();
}

std::string SpeechCommandsTask::finish() {
  if (synth_) return synth_->summary();
  std::string summary = TrainingTask::finish();
  // Per-class test accuracy into per_class.csv, and the two weakest classes into the summary.
  NoGrad no_grad;
  model_->eval();
  std::vector<double> index, count(kSpeechClasses, 0), correct(kSpeechClasses, 0), acc;
  const int64_t n = data_->size(SpeechSplit::test);
  for (int64_t begin = 0; begin < n; begin += 64) {
    std::vector<int64_t> idx;
    for (int64_t i = begin; i < std::min(n, begin + 64); ++i) idx.push_back(i);
    SpeechBatch b = data_->batch(SpeechSplit::test, idx, nullptr);
    Tensor pred = argmax((*model_)(b.features.to(device_)).cpu(), 1);
    for (int64_t k = 0; k < pred.numel(); ++k) {
      const size_t label = size_t(b.targets.data()[k]);
      count[label] += 1;
      correct[label] += pred.data()[k] == b.targets.data()[k];
    }
  }
  std::vector<std::pair<double, int>> worst;
  for (int c = 0; c < kSpeechClasses; ++c) {
    index.push_back(c);
    acc.push_back(count[size_t(c)] > 0 ? correct[size_t(c)] / count[size_t(c)] : 0);
    if (count[size_t(c)] > 0) worst.push_back({acc.back(), c});
  }
  if (!context().out_dir.empty())
    write_csv(context().out_dir + "/per_class.csv", {"class", "count", "correct", "accuracy"},
              {index, count, correct, acc});
  std::sort(worst.begin(), worst.end());
  for (size_t k = 0; k < std::min<size_t>(2, worst.size()); ++k) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s %s %.0f%%",
                  k ? "," : "; weakest:", speech_class_name(worst[k].second).c_str(),
                  100 * worst[k].first);
    summary += buf;
  }
  return summary;
}

nir::Graph SpeechCommandsTask::to_nir() const {
  nir::Builder b(model_->dt());
  model_->export_nir(b);
  b.graph.metadata = {
      {"soma.task", name()},
      {"soma.model", values().get_string("model")},
      {"soma.input", "log-mel features (T, B, " + std::to_string(data_->mels()) +
                         "), standardised with the checkpoint's feature_mean/feature_std, x "
                         "input_scale " +
                         std::to_string(values().get_float("input_scale"))},
      {"soma.output", "read-out voltages (T, B, " + std::to_string(kSpeechClasses) +
                          "); decoded by " + values().get_string("decode") + " over T"},
      {"soma.dt", std::to_string(model_->dt())}};
  return b.graph;
}

void SpeechCommandsTask::build(const ParamValues& v) {
  data_ = std::make_unique<SpeechData>(SpeechDataOptions{
      v.get_string("data_dir"), v.get_float("noise_prob"), v.get_float("noise_volume"),
      int(v.get_int("freq_mask")), int(v.get_int("time_mask"))});
  const uint64_t seed = uint64_t(v.get_int("seed"));
  Rng rng(seed);
  check_learn_neuron_params(v, v.get_string("model") == "lif", "--model lif");
  SpeechModelOptions mo{v.get_string("model"),
                        data_->mels(),
                        v.get_int("hidden"),
                        kSpeechClasses,
                        v.get_string("decode"),
                        float(v.get_float("dt")),
                        float(v.get_float("input_scale")),
                        surrogate_of(v),
                        v.get_bool("learn_neuron_params")};
  model_ = std::make_shared<SpeechModel>(mo, rng);
  data_->feature_stats(model_->feature_mean, model_->feature_std);
  // --device cuda: the weights and the feature statistics move once, before the trainer makes
  // the optimizer; batches move as they are cut. Checkpoints hold the same tensors either way.
  device_ = v.get_string("device") == "cuda" ? Device::cuda : Device::cpu;
  if (device_ == Device::cuda) model_->to_device(device_);
  augment_rng_ = Rng(seed ^ 0xA0D10);
  order_epoch_ = -1;
}

bool SpeechCommandsTask::runs_on_cuda(const ParamValues&) const {
  return true;  // lif, lsnn and the LSTM (its gates are strided slices, copied on the device)
}

int64_t SpeechCommandsTask::batches_per_epoch() const {
  const int64_t n = data_->size(SpeechSplit::train), b = values().get_int("batch_size");
  return (n + b - 1) / b;
}

BatchStats SpeechCommandsTask::train_batch(int64_t epoch, int64_t batch) {
  if (epoch != order_epoch_) {
    order_.resize(size_t(data_->size(SpeechSplit::train)));
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = int64_t(i);
    Rng rng(epoch_seed(epoch));
    rng.shuffle(order_);
    order_epoch_ = epoch;
  }
  const int64_t B = values().get_int("batch_size"), begin = batch * B;
  const int64_t end = std::min<int64_t>(int64_t(order_.size()), begin + B);
  SpeechBatch b = data_->batch(SpeechSplit::train, {order_.begin() + begin, order_.begin() + end},
                               &augment_rng_);
  model_->train();
  Tensor s = (*model_)(b.features.to(device_));
  Tensor loss = nll_loss(log_softmax(s, 1), b.targets.to(device_));
  loss.backward();
  const Tensors h = to_host({loss, s});  // one host wait on cuda, not two
  return {h[0].item(), count_top_k(h[1], b.targets), b.targets.numel()};
}

EvalStats SpeechCommandsTask::evaluate(bool test) {
  NoGrad no_grad;
  model_->eval();
  const SpeechSplit split = test ? SpeechSplit::test : SpeechSplit::validation;
  const int64_t n = data_->size(split), B = std::max<int64_t>(values().get_int("batch_size"), 64);
  const int64_t batches = ceil_div(n, B), limit = eval_batch_limit(test);
  double loss = 0;
  int64_t correct = 0, count = 0;
  for (int64_t k = 0; k < batches && k < limit; ++k) {
    std::vector<int64_t> idx;
    for (int64_t i = k * B; i < std::min(n, (k + 1) * B); ++i) idx.push_back(i);
    SpeechBatch b = data_->batch(split, idx, nullptr);
    Tensor s = (*model_)(b.features.to(device_));
    const Tensors h =
        to_host({nll_loss(log_softmax(s, 1), b.targets.to(device_), Reduction::sum), s});
    loss += double(h[0].item());
    correct += count_top_k(h[1], b.targets);
    count += int64_t(idx.size());
    report_eval_batch(test, k + 1, batches);
  }
  return {loss / double(std::max<int64_t>(count, 1)),
          double(correct) / double(std::max<int64_t>(count, 1)), count};
}

void SpeechCommandsTask::publish_pictures() {
  NoGrad no_grad;
  model_->eval();
  SpeechBatch b = data_->batch(SpeechSplit::test, {0}, nullptr);
  (*model_)(b.features.to(device_));
  const int64_t T = b.features.size(0), M = b.features.size(2);
  std::vector<float> spec(size_t(M * T));  // rows: mel bins, high at the top; columns: frames
  for (int64_t t = 0; t < T; ++t)
    for (int64_t m = 0; m < M; ++m)
      spec[size_t((M - 1 - m) * T + t)] = b.features.data()[t * M + m];
  telemetry_.set(Image{"log-mel spectrogram of the first test clip (" +
                           speech_class_name(data_->label(SpeechSplit::test, 0)) + ")",
                       M, T, std::move(spec)});
  if (!model_->hidden_spikes.defined()) return;
  const Tensor z = model_->hidden_spikes.cpu();
  const int64_t H = z.size(2);
  Raster r{"hidden spikes (first test clip)", T, H, {}};
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = 0; n < H; ++n) r.spikes.push_back(z.data()[t * H + n] > 0);
  telemetry_.set(std::move(r));
  const Tensor v = model_->readout_voltages.cpu();
  Traces tr{"read-out voltages (first test clip)", T, v.size(2), {}, {}, {}, {}};
  for (int64_t i = 0; i < v.numel(); ++i) tr.values.push_back(v.data()[i]);
  telemetry_.set(std::move(tr));
  publish_learned_constants(*model_, telemetry_);
}

}  // namespace soma
