#pragma once
// TensorBoard's event files, written without TensorFlow or protobuf: what `tensorboard --logdir`
// reads from any file whose name contains "tfevents" (PyTorch's SummaryWriter and Lightning's
// TensorBoardLogger write the same).
//
// The file is a sequence of TFRecords, each one serialized `Event` message:
//   uint64 length | uint32 masked_crc(length's 8 bytes) | data[length] | uint32 masked_crc(data)
// all little-endian, crc = CRC-32C (Castagnoli, reflected polynomial 0x82F63B78),
// masked_crc = ((crc >> 15) | (crc << 17)) + 0xa282ead8.
//
// The messages, protobuf wire format (field number: type), only the fields written here:
//   Event          1: double wall_time (s since 1970), 2: int64 step, 3: string file_version
//                  ("brain.Event:2", the first record), 5: Summary summary,
//                  7: SessionLog session_log
//   SessionLog     1: enum status (1: START)
//   Summary        1: repeated Value value
//   Summary.Value  1: string tag, 2: float simple_value (a scalar), 5: HistogramProto histo
//   HistogramProto 1: double min, 2: max, 3: num, 4: sum, 5: sum_squares,
//                  6: packed double bucket_limit, 7: packed double bucket
// Bucket i counts the values in (bucket_limit[i-1], bucket_limit[i]]; TensorBoard draws the
// first from min and the last to max.
//
// A restarted run: TensorBoard's Python loader takes every SessionLog.START after a run's first
// as a restart at its step and drops the events it read before with steps >= that step (so the
// steps a killed run logged after its last checkpoint are not shown twice); its Rust data server
// does the same per tag when a tag's step goes back.
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace soma {

uint32_t crc32c(std::string_view bytes);
uint32_t masked_crc32c(std::string_view bytes);
// One record: the framing above around `data`.
std::string tf_record(std::string_view data);

// A histogram's summary as TensorBoard keeps it.
struct HistogramSummary {
  double min = 0, max = 0, num = 0, sum = 0, sum_squares = 0;
  std::vector<double> bucket_limit, bucket;  // right edges, counts
};
// `bins` equal-width buckets from the values' min to max (one bucket when they are all equal).
// NaN values are left out of every field, so one NaN weight does not hide the others.
HistogramSummary histogram_of(const float* values, int64_t n, int bins = 30);

// Serialized Event messages (the data of one record).
std::string event_file_version(double wall_time);
std::string event_scalar(double wall_time, int64_t step, const std::string& tag, float value);
std::string event_histogram(double wall_time, int64_t step, const std::string& tag,
                            const HistogramSummary& h);
std::string event_session_start(double wall_time, int64_t step);

// Writes records to dir/events.out.tfevents.<seconds>.<host>.<pid>[.k], a new file (k = 2, 3, ...
// when the name is taken), opened on construction
// with the file-version record. A failure to open or write throws std::runtime_error naming
// the file. Records are buffered: flush() (or destruction) puts them in the file.
class EventFileWriter {
 public:
  explicit EventFileWriter(const std::string& dir);
  ~EventFileWriter();
  void add_scalar(const std::string& tag, int64_t step, float value);
  void add_histogram(const std::string& tag, int64_t step, const HistogramSummary& h);
  void add_session_start(int64_t step);
  void flush();
  const std::string& path() const { return path_; }

 private:
  void write(std::string_view event);
  std::string path_;
  std::ofstream out_;
};

// Whether a file name (no folder) is an event file as EventFileWriter names them, and the event
// files in dir, sorted (none when dir does not exist).
bool is_event_file(const std::string& file_name);
std::vector<std::string> event_files(const std::string& dir);

}  // namespace soma
