#include "core/data/wav.hpp"

#include <cstring>
#include <stdexcept>

#include "core/data/file_bytes.hpp"
#include "core/io/atomic_write.hpp"

namespace soma {
namespace {

uint32_t u32_at(const std::string& b, size_t at) {
  return uint32_t(uint8_t(b[at])) | uint32_t(uint8_t(b[at + 1])) << 8 |
         uint32_t(uint8_t(b[at + 2])) << 16 | uint32_t(uint8_t(b[at + 3])) << 24;
}
uint16_t u16_at(const std::string& b, size_t at) {
  return uint16_t(uint8_t(b[at]) | uint8_t(b[at + 1]) << 8);
}

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::runtime_error(name + ": " + what);
}

void expect_field(const std::string& name, const std::string& field, uint64_t got, uint64_t want,
                  const std::string& why) {
  if (got != want)
    fail(name,
         field + " is " + std::to_string(got) + ", expected " + why + " = " + std::to_string(want));
}

struct Format {
  bool seen = false;
  uint16_t format = 0, channels = 0, block_align = 0, bits = 0;
  uint32_t rate = 0, byte_rate = 0;
};

Format parse_fmt(const std::string& b, size_t at, uint32_t size, const std::string& name) {
  if (size < 16) fail(name, "fmt chunk is " + std::to_string(size) + " bytes, expected >= 16");
  Format f{true,
           u16_at(b, at),
           u16_at(b, at + 2),
           u16_at(b, at + 12),
           u16_at(b, at + 14),
           u32_at(b, at + 4),
           u32_at(b, at + 8)};
  expect_field(name, "fmt.audio_format", f.format, 1, "PCM");
  if (f.channels == 0) fail(name, "fmt.channels is 0");
  if (f.rate == 0) fail(name, "fmt.sample_rate is 0");
  expect_field(name, "fmt.bits_per_sample", f.bits, 16, "16-bit PCM");
  expect_field(name, "fmt.block_align", f.block_align, uint64_t(f.channels) * f.bits / 8,
               "channels * bits / 8");
  expect_field(name, "fmt.byte_rate", f.byte_rate, uint64_t(f.rate) * f.block_align,
               "sample_rate * block_align");
  return f;
}

void put_u32(std::string& s, uint32_t v) {
  for (int k = 0; k < 4; ++k) s += char((v >> (8 * k)) & 0xFF);
}
void put_u16(std::string& s, uint16_t v) {
  s += char(v & 0xFF);
  s += char(v >> 8);
}

}  // namespace

Wav parse_wav(const std::string& b, const std::string& name) {
  if (b.size() < 12)
    fail(name, "file is " + std::to_string(b.size()) + " bytes, too short for a RIFF header");
  if (b.compare(0, 4, "RIFF") != 0) fail(name, "riff.id is not 'RIFF'");
  if (b.compare(8, 4, "WAVE") != 0) fail(name, "riff.format is not 'WAVE'");
  expect_field(name, "riff.size", u32_at(b, 4), b.size() - 8, "file size - 8");
  Format f;
  Wav w;
  bool data_seen = false;
  size_t at = 12;
  while (at < b.size()) {
    if (b.size() - at < 8)
      fail(name, "a chunk header at byte " + std::to_string(at) + " is cut off");
    const std::string id = b.substr(at, 4);
    const uint32_t size = u32_at(b, at + 4);
    const size_t body = at + 8;
    if (size > b.size() - body)
      fail(name, id + " chunk size is " + std::to_string(size) + ", but only " +
                     std::to_string(b.size() - body) + " bytes follow");
    if (id == "fmt ") {
      f = parse_fmt(b, body, size, name);
    } else if (id == "data") {
      if (!f.seen) fail(name, "data chunk comes before the fmt chunk");
      if (size % f.block_align != 0)
        fail(name, "data chunk size " + std::to_string(size) +
                       " is not a multiple of block_align " + std::to_string(f.block_align));
      w.samples.resize(size / 2);
      for (size_t i = 0; i < w.samples.size(); ++i) w.samples[i] = int16_t(u16_at(b, body + 2 * i));
      data_seen = true;
    }
    at = body + size + (size & 1);  // chunks are padded to an even length
  }
  if (!f.seen) fail(name, "no fmt chunk");
  if (!data_seen) fail(name, "no data chunk");
  w.channels = f.channels;
  w.sample_rate = int(f.rate);
  return w;
}

Wav read_wav(const std::string& path) {
  return parse_wav(read_file_bytes(path), path);
}

Wav read_wav_16k_mono(const std::string& path) {
  Wav w = read_wav(path);
  expect_field(path, "fmt.sample_rate", uint64_t(w.sample_rate), 16000, "Speech Commands' rate");
  expect_field(path, "fmt.channels", uint64_t(w.channels), 1, "mono");
  return w;
}

std::string encode_wav(const Wav& w) {
  const uint32_t data = uint32_t(w.samples.size() * 2);
  std::string s = "RIFF";
  put_u32(s, 36 + data);
  s += "WAVEfmt ";
  put_u32(s, 16);
  put_u16(s, 1);
  put_u16(s, uint16_t(w.channels));
  put_u32(s, uint32_t(w.sample_rate));
  put_u32(s, uint32_t(w.sample_rate * w.channels * 2));
  put_u16(s, uint16_t(w.channels * 2));
  put_u16(s, 16);
  s += "data";
  put_u32(s, data);
  for (int16_t v : w.samples) put_u16(s, uint16_t(v));
  return s;
}

void write_wav(const std::string& path, const Wav& wav) {
  write_file_atomic(path, encode_wav(wav));
}

}  // namespace soma
