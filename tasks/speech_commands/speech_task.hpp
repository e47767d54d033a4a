#pragma once
// Keyword spotting on Google Speech Commands v2 (Norse's `speech_commands` task): one-second
// clips -> 80-bin log-mel spectrogram (81 frames; core/audio/mel.hpp), SpecAugment masks and
// background noise in training -> recurrent LIF (or LSNN, or an LSTM baseline) 80 -> 128 ->
// 13 outputs; the last step's read-out voltage, log-softmax, NLL. Norse's settings: Adam 1e-4,
// batch 16, 10 epochs, validation after each epoch (Norse never evaluates its test split; we do,
// at the end). Classes: core/data/speech_commands.hpp.
//
// The real data set cannot be downloaded here: `soma speech_commands --synthesize DIR` builds a
// small one in the same layout with espeak-ng (tasks/speech_commands/synthesize.hpp), and then
// ends; `--data_dir DIR` trains on it (or on the real set, unpacked).
// Native only (espeak-ng and sox run as processes; the front end needs kissfft).
#include <memory>

#include "core/random/rng.hpp"
#include "tasks/framework/trainer.hpp"
#include "tasks/speech_commands/models.hpp"
#include "tasks/speech_commands/speech_data.hpp"
#include "tasks/speech_commands/synthesize.hpp"

namespace soma {

constexpr const char* kSpeechCommandsDataDir = ".deps/data/speech_commands";

class SpeechCommandsTask : public TrainingTask {
 public:
  SpeechCommandsTask();
  std::string name() const override { return "speech_commands"; }
  std::string description() const override {
    return "spot ten spoken command words (Speech Commands layout) with a recurrent SNN";
  }
  // With --synthesize DIR the task makes a data set instead of training.
  void setup(const ParamValues& values, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  std::string finish() override;
  nir::Graph to_nir() const override;
  void init_from_nir(const nir::Graph& g) override {
    model_->import_nir(nir::Loader(g, model_->dt()));
  }
  // --device cuda: the spiking models (lif, lsnn); the LSTM has no CUDA path yet.
  bool runs_on_cuda(const ParamValues& v) const override;

 protected:
  void build(const ParamValues& v) override;
  nn::Module& model() const override { return *model_; }
  int64_t batches_per_epoch() const override;
  BatchStats train_batch(int64_t epoch, int64_t batch) override;
  EvalStats evaluate(bool test) override;
  void publish_pictures() override;

 private:
  std::unique_ptr<SpeechSynthesizer> synth_;
  std::unique_ptr<SpeechData> data_;
  std::shared_ptr<SpeechModel> model_;
  std::vector<int64_t> order_;
  int64_t order_epoch_ = -1;
  Rng augment_rng_{1};
  Device device_ = Device::cpu;
};

}  // namespace soma
