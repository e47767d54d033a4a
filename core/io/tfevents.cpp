#include "core/io/tfevents.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace soma {
namespace {

// The protobuf wire format's pieces: a field's key is (number << 3) | wire type.
enum Wire : uint32_t { kVarint = 0, kFixed64 = 1, kBytes = 2, kFixed32 = 5 };

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += char(uint8_t(v) | 0x80);
    v >>= 7;
  }
  out += char(uint8_t(v));
}

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += char(uint8_t(v >> (8 * i)));
}

void put_key(std::string& out, uint32_t field, Wire wire) {
  put_varint(out, (uint64_t(field) << 3) | wire);
}

void put_double_bits(std::string& out, double v) {  // a double's 8 bytes, little-endian
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  put_le(out, bits, 8);
}

void put_double(std::string& out, uint32_t field, double v) {
  put_key(out, field, kFixed64);
  put_double_bits(out, v);
}

void put_float(std::string& out, uint32_t field, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  put_key(out, field, kFixed32);
  put_le(out, bits, 4);
}

void put_bytes(std::string& out, uint32_t field, std::string_view bytes) {
  put_key(out, field, kBytes);
  put_varint(out, bytes.size());
  out += bytes;
}

void put_packed_doubles(std::string& out, uint32_t field, const std::vector<double>& vs) {
  std::string packed;
  for (double v : vs) put_double_bits(packed, v);
  put_bytes(out, field, packed);
}

// An Event's wall_time and step, the fields every event but the file version starts with; step
// 0 is left out, as protobuf leaves out a proto3 field at its default.
std::string event_head(double wall_time, int64_t step) {
  std::string event;
  put_double(event, 1, wall_time);
  if (step == 0) return event;
  put_key(event, 2, kVarint);
  put_varint(event, uint64_t(step));
  return event;
}

// Event{wall_time, step, summary{value{tag, <value>}}} with the value's serialized fields.
std::string summary_event(double wall_time, int64_t step, const std::string& tag,
                          std::string_view value_fields) {
  std::string value;
  put_bytes(value, 1, tag);
  value += value_fields;
  std::string summary;
  put_bytes(summary, 1, value);
  std::string event = event_head(wall_time, step);
  put_bytes(event, 5, summary);
  return event;
}

std::array<uint32_t, 256> crc32c_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}

constexpr const char* kEventFilePrefix = "events.out.tfevents.";

// Seconds since 1970 with the clock's fraction, as TensorBoard's wall_time.
double wall_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

}  // namespace

uint32_t crc32c(std::string_view bytes) {
  static const std::array<uint32_t, 256> table = crc32c_table();
  uint32_t c = 0xFFFFFFFFu;
  for (char b : bytes) c = table[(c ^ uint8_t(b)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(std::string_view bytes) {
  const uint32_t c = crc32c(bytes);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

std::string tf_record(std::string_view data) {
  std::string length;
  put_le(length, data.size(), 8);
  std::string out = length;
  put_le(out, masked_crc32c(length), 4);
  out += data;
  put_le(out, masked_crc32c(data), 4);
  return out;
}

HistogramSummary histogram_of(const float* values, int64_t n, int bins) {
  HistogramSummary h;
  h.min = INFINITY;
  h.max = -INFINITY;
  for (int64_t i = 0; i < n; ++i) {
    const double v = values[i];
    if (std::isnan(v)) continue;
    h.min = std::min(h.min, v);
    h.max = std::max(h.max, v);
    h.num += 1;
    h.sum += v;
    h.sum_squares += v * v;
  }
  if (h.num == 0) return HistogramSummary{};
  bins = h.max > h.min ? std::max(bins, 1) : 1;
  const double width = (h.max - h.min) / bins;
  h.bucket.assign(size_t(bins), 0.0);
  for (int b = 0; b < bins; ++b) h.bucket_limit.push_back(h.min + width * (b + 1));
  h.bucket_limit.back() = h.max;
  for (int64_t i = 0; i < n; ++i) {
    const double v = values[i];
    if (std::isnan(v)) continue;
    // Right-closed buckets: a value on an edge belongs to the bucket it closes.
    int b = width > 0 ? int(std::ceil((v - h.min) / width)) - 1 : 0;
    h.bucket[size_t(std::clamp(b, 0, bins - 1))] += 1;
  }
  return h;
}

std::string event_file_version(double wall_time) {
  std::string event;
  put_double(event, 1, wall_time);
  put_bytes(event, 3, "brain.Event:2");
  return event;
}

std::string event_scalar(double wall_time, int64_t step, const std::string& tag, float value) {
  std::string fields;
  put_float(fields, 2, value);
  return summary_event(wall_time, step, tag, fields);
}

std::string event_histogram(double wall_time, int64_t step, const std::string& tag,
                            const HistogramSummary& h) {
  std::string histo;
  put_double(histo, 1, h.min);
  put_double(histo, 2, h.max);
  put_double(histo, 3, h.num);
  put_double(histo, 4, h.sum);
  put_double(histo, 5, h.sum_squares);
  put_packed_doubles(histo, 6, h.bucket_limit);
  put_packed_doubles(histo, 7, h.bucket);
  std::string fields;
  put_bytes(fields, 5, histo);
  return summary_event(wall_time, step, tag, fields);
}

std::string event_session_start(double wall_time, int64_t step) {
  std::string log;
  put_key(log, 1, kVarint);
  put_varint(log, 1);  // SessionLog.START
  std::string event = event_head(wall_time, step);
  put_bytes(event, 7, log);
  return event;
}

bool is_event_file(const std::string& file_name) {
  return file_name.rfind(kEventFilePrefix, 0) == 0;
}

std::vector<std::string> event_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (is_event_file(e.path().filename().string())) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

EventFileWriter::EventFileWriter(const std::string& dir) {
  const double now = wall_seconds();
  const std::string base = dir + "/" + kEventFilePrefix + std::to_string(int64_t(now)) + "." +
                           host_name() + "." + std::to_string(long(getpid()));
  path_ = base;  // a second writer in the same second and process gets a file of its own
  for (int k = 2; std::filesystem::exists(path_); ++k) path_ = base + "." + std::to_string(k);
  out_.open(path_, std::ios::binary);
  if (!out_) throw std::runtime_error("cannot open " + path_ + " for writing");
  write(event_file_version(now));
}

EventFileWriter::~EventFileWriter() {
  out_.flush();  // a destructor does not throw: a failed last flush only loses the tail
}

void EventFileWriter::add_scalar(const std::string& tag, int64_t step, float value) {
  write(event_scalar(wall_seconds(), step, tag, value));
}

void EventFileWriter::add_histogram(const std::string& tag, int64_t step,
                                    const HistogramSummary& h) {
  write(event_histogram(wall_seconds(), step, tag, h));
}

void EventFileWriter::add_session_start(int64_t step) {
  write(event_session_start(wall_seconds(), step));
}

void EventFileWriter::write(std::string_view event) {
  const std::string record = tf_record(event);
  out_.write(record.data(), std::streamsize(record.size()));
  if (!out_) throw std::runtime_error("error writing " + path_ + " (disk full?)");
}

void EventFileWriter::flush() {
  out_.flush();
  if (!out_) throw std::runtime_error("error writing " + path_ + " (disk full?)");
}

}  // namespace soma
