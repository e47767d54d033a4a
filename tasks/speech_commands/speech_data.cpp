#include "tasks/speech_commands/speech_data.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/audio/spec_augment.hpp"
#include "core/data/wav.hpp"
#include "core/random/rng.hpp"

namespace soma {

SpeechData::SpeechData(const SpeechDataOptions& o) : o_(o), mel_(MelOptions{}) {
  frames_ = mel_.frames(kSpeechSamples);
  const SpeechCommandsIndex idx = index_speech_commands(o.dir);
  const std::vector<SpeechClip>* lists[3] = {&idx.train, &idx.validation, &idx.test};
  for (size_t s = 0; s < 3; ++s)
    for (const SpeechClip& c : *lists[s]) {
      std::vector<int16_t> a = read_speech_clip(o.dir + "/" + c.path);
      splits_[s].audio.insert(splits_[s].audio.end(), a.begin(), a.end());
      splits_[s].labels.push_back(c.label);
    }
  load_background(idx);
  for (SpeechSplit s : {SpeechSplit::train, SpeechSplit::validation, SpeechSplit::test})
    if (size(s) == 0)
      throw std::runtime_error(o.dir + ": the " +
                               std::string(s == SpeechSplit::train        ? "training"
                                           : s == SpeechSplit::validation ? "validation"
                                                                          : "test") +
                               " split is empty (check validation_list.txt / testing_list.txt)");
  for (SpeechSplit s : {SpeechSplit::validation, SpeechSplit::test}) {
    std::vector<float>& c = cached_[size_t(s)];
    c.resize(size_t(size(s) * frames_ * mels()));
    for (int64_t i = 0; i < size(s); ++i)
      clip_features(s, i, nullptr, c.data() + i * frames_ * mels());
  }
}

// 1 s chunks; chunk c of n goes to train (c < 0.8 n), validation (c < 0.9 n) or test. The
// training part of each file is also the noise mixed into training clips.
void SpeechData::load_background(const SpeechCommandsIndex& idx) {
  for (const std::string& path : idx.background) {
    const Wav w = read_wav_16k_mono(path);
    const int64_t n = w.frames() / kSpeechSamples;
    if (n == 0) continue;  // shorter than a second: nothing to cut
    const int64_t n_train = std::max<int64_t>(1, int64_t(0.8 * double(n)));
    const int64_t n_val = int64_t(0.9 * double(n));
    for (int64_t c = 0; c < n; ++c) {
      Split& s = splits_[c < n_train ? 0 : c < n_val ? 1 : 2];
      s.audio.insert(s.audio.end(), w.samples.begin() + c * kSpeechSamples,
                     w.samples.begin() + (c + 1) * kSpeechSamples);
      s.labels.push_back(kSpeechBackground);
    }
    std::vector<float> part(size_t(n_train * kSpeechSamples));
    for (size_t k = 0; k < part.size(); ++k) part[k] = float(w.samples[k]) / 32768.0f;
    noise_.push_back(std::move(part));
  }
}

void SpeechData::clip_features(SpeechSplit s, int64_t i, Rng* rng, float* out) {
  const int16_t* a = split(s).audio.data() + i * kSpeechSamples;
  wave_.resize(size_t(kSpeechSamples));
  for (int64_t k = 0; k < kSpeechSamples; ++k) wave_[size_t(k)] = float(a[k]) / 32768.0f;
  if (rng && !noise_.empty() && rng->bernoulli(float(o_.noise_prob))) {
    const std::vector<float>& n = noise_[rng->below(uint32_t(noise_.size()))];
    const int64_t start = rng->below(uint32_t(int64_t(n.size()) - kSpeechSamples + 1));
    const float volume = rng->uniform(0.0f, float(o_.noise_volume));
    for (int64_t k = 0; k < kSpeechSamples; ++k)
      wave_[size_t(k)] = std::clamp(wave_[size_t(k)] + volume * n[size_t(start + k)], -1.0f, 1.0f);
  }
  mel_.compute(wave_.data(), kSpeechSamples, out);
  if (rng) {
    // Masked entries take the bin's training mean (feature_stats), which standardisation maps
    // to 0.
    const float* fill = fill_.empty() ? nullptr : fill_.data();
    if (o_.freq_mask > 0) mask_frequency(out, frames_, mels(), o_.freq_mask, *rng, fill);
    if (o_.time_mask > 0) mask_time(out, frames_, mels(), o_.time_mask, *rng, fill);
  }
}

SpeechBatch SpeechData::batch(SpeechSplit s, const std::vector<int64_t>& idx, Rng* rng) {
  const int64_t B = int64_t(idx.size()), F = frames_ * mels(), M = mels();
  std::vector<float> clip(static_cast<size_t>(F));
  Tensor x = Tensor::zeros({frames_, B, M}), y = Tensor::zeros({B});
  for (int64_t b = 0; b < B; ++b) {
    const int64_t i = idx[size_t(b)];
    const float* f;
    if (rng || s == SpeechSplit::train) {
      clip_features(s, i, rng, clip.data());
      f = clip.data();
    } else {
      f = cached_[size_t(s)].data() + i * F;
    }
    for (int64_t t = 0; t < frames_; ++t)
      std::copy(f + t * M, f + (t + 1) * M, x.data() + (t * B + b) * M);
    y.data()[b] = float(label(s, i));
  }
  return {x, y};
}

void SpeechData::feature_stats(Tensor& mean, Tensor& stddev) {
  const int64_t M = mels(), n = std::min<int64_t>(size(SpeechSplit::train), 2000);
  std::vector<double> s(size_t(M), 0.0), s2(size_t(M), 0.0);
  std::vector<float> clip(size_t(frames_ * M));
  // Evenly spread clips (the list is sorted by word), at most 2,000 of them.
  for (int64_t j = 0; j < n; ++j) {
    clip_features(SpeechSplit::train, j * size(SpeechSplit::train) / n, nullptr, clip.data());
    for (int64_t t = 0; t < frames_; ++t)
      for (int64_t m = 0; m < M; ++m) {
        const double v = clip[size_t(t * M + m)];
        s[size_t(m)] += v;
        s2[size_t(m)] += v * v;
      }
  }
  const double count = double(n * frames_);
  fill_.clear();
  Tensor mu_m = Tensor::zeros({M}), sd_m = Tensor::zeros({M});
  for (int64_t m = 0; m < M; ++m) {
    const double mu = s[size_t(m)] / count;
    mu_m.data()[m] = float(mu);
    fill_.push_back(float(mu));
    // The lowest filters are empty (constant log floor): keep their spread from dividing by 0.
    sd_m.data()[m] =
        float(std::max(1e-2, std::sqrt(std::max(0.0, s2[size_t(m)] / count - mu * mu))));
  }
  // In place: they are the model's registered buffers, which the checkpoint saves and
  // --device cuda moves (a rebound handle would leave those at 0 and 1).
  mean.copy_(mu_m);
  stddev.copy_(sd_m);
}

std::array<int64_t, kSpeechClasses> SpeechData::class_counts(SpeechSplit s) const {
  std::array<int64_t, kSpeechClasses> c{};
  for (int l : split(s).labels) ++c[size_t(l)];
  return c;
}

}  // namespace soma
