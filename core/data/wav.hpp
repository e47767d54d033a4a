#pragma once
// RIFF/WAVE files, 16-bit PCM, as Google Speech Commands ships them (16 kHz, mono, 1 s).
//
// Layout (all little-endian): "RIFF" u32 riff_size "WAVE", then chunks of (4-byte id, u32 size,
// payload padded to an even length). "fmt " holds u16 format (1 = PCM), u16 channels, u32
// sample_rate, u32 byte_rate, u16 block_align, u16 bits_per_sample; "data" holds the samples,
// interleaved by channel. Other chunks (LIST, fact, ...) are skipped.
//
// The reader is strict: every field that disagrees with the others, or with the file's size, is
// a std::runtime_error that names the file and the field ("x.wav: fmt.block_align is 4, expected
// channels * bits / 8 = 2"). It does not guess: a truncated data chunk is an error, not a short
// clip. parse_wav() accepts any channel count and sample rate; read_wav_16k_mono() also checks
// that the file is what Speech Commands needs.
#include <cstdint>
#include <string>
#include <vector>

namespace soma {

struct Wav {
  int channels = 1;
  int sample_rate = 16000;
  std::vector<int16_t> samples;  // interleaved by channel
  int64_t frames() const { return int64_t(samples.size()) / channels; }
};

// `name` labels errors (a path, or "<stdin>").
Wav parse_wav(const std::string& bytes, const std::string& name);
Wav read_wav(const std::string& path);
// read_wav, then: sample_rate must be 16000 and channels 1.
Wav read_wav_16k_mono(const std::string& path);

// A canonical 44-byte-header PCM file; written atomically (core/io/atomic_write.hpp).
std::string encode_wav(const Wav& wav);
void write_wav(const std::string& path, const Wav& wav);

}  // namespace soma
