#pragma once
// The speech_commands task's data: a Speech Commands folder (core/data/speech_commands.hpp) in
// memory as 16-bit samples, cut into mini-batches of log-mel features (core/audio/mel.hpp).
//
// "background" samples (label 10) are one-second chunks of the _background_noise_ files, as
// Norse makes them; each file's chunks are split in time, the first 80% to training, the next
// 10% to validation, the last 10% to test, so no test chunk was heard in training.
// Training batches are augmented as the Speech Commands paper's reference code and Norse do:
//   - with probability noise_prob a random stretch of a noise file's training part is added at a
//     volume drawn from U[0, noise_volume] (the clip's samples are in [-1, 1));
//   - one frequency mask (width < freq_mask bins) and one time mask (width < time_mask frames)
//     are set to each bin's training mean (core/audio/spec_augment.hpp).
// Validation and test features are clean and computed once.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/audio/mel.hpp"
#include "core/data/speech_commands.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

class Rng;

struct SpeechDataOptions {
  std::string dir;
  double noise_prob = 0.8, noise_volume = 0.1;
  int freq_mask = 15, time_mask = 35;
};

enum class SpeechSplit { train = 0, validation = 1, test = 2 };

struct SpeechBatch {
  Tensor features;  // (T, B, 80) log-mel, not standardised
  Tensor targets;   // (B) class indices as floats
};

class SpeechData {
 public:
  explicit SpeechData(const SpeechDataOptions& o);
  int64_t size(SpeechSplit s) const { return int64_t(split(s).labels.size()); }
  int64_t frames() const { return frames_; }
  int64_t mels() const { return mel_.options().n_mels; }
  int label(SpeechSplit s, int64_t i) const { return split(s).labels[size_t(i)]; }
  // Samples `idx` of a split. With `rng` (training) the clips are augmented; without, clean.
  SpeechBatch batch(SpeechSplit s, const std::vector<int64_t>& idx, Rng* rng);
  // Per-bin mean and standard deviation of the clean training features, written into `mean`
  // and `stddev` ((mels) each, any device) in place. The mean also becomes the masks' fill value.
  void feature_stats(Tensor& mean, Tensor& stddev);
  // Samples per class in a split (13 counts).
  std::array<int64_t, kSpeechClasses> class_counts(SpeechSplit s) const;

 private:
  struct Split {
    std::vector<int16_t> audio;  // kSpeechSamples per clip
    std::vector<int> labels;
  };
  const Split& split(SpeechSplit s) const { return splits_[size_t(s)]; }
  void load_background(const SpeechCommandsIndex& idx);
  void clip_features(SpeechSplit s, int64_t i, Rng* rng, float* out);

  SpeechDataOptions o_;
  LogMel mel_;
  int64_t frames_ = 0;
  std::array<Split, 3> splits_;
  std::vector<std::vector<float>> noise_;     // each file's training part, in [-1, 1)
  std::array<std::vector<float>, 3> cached_;  // clean features of validation and test
  std::vector<float> fill_;                   // per-bin training mean: what masks write
  std::vector<float> wave_;                   // scratch
};

}  // namespace soma
