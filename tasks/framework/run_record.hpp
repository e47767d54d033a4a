#pragma once
// What a run folder records besides the weights, kept so that a resumed run writes the same
// files as an uninterrupted one (issue 19):
//   MetricsTable        metrics.csv's rows, as doubles (a float32 tensor rounded them on resume)
//   series_to_json ...  every telemetry series (series.csv and the plots keep pre-kill points)
// Both travel as JSON text in the checkpoint's metadata: doubles in shortest round-trip form,
// a missing value (NaN) as null.
#include <string>
#include <vector>

#include "tasks/framework/checkpoint.hpp"
#include "tasks/framework/telemetry.hpp"

namespace soma {

class MetricsTable {
 public:
  explicit MetricsTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<double>>& rows() const { return rows_; }
  // A row of columns().size() values; NaN where there is no value.
  void add(std::vector<double> row);
  void clear() { rows_.clear(); }
  void pop_back() { rows_.pop_back(); }
  std::string to_json() const;
  // Replaces the rows. Throws std::runtime_error "<where>: ..." unless the text is an array of
  // rows of exactly columns().size() numbers or nulls, with numbers (not null) in the first
  // `required` columns.
  void from_json(const std::string& text, const std::string& where, size_t required);
  void write_csv(const std::string& path) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<double>> rows_;
};

std::string series_to_json(const Telemetry& t);
// Replaces the points of every series in the text (styles stay). Throws std::runtime_error
// "<where>: ..." on anything but [{"name": s, "x": [...], "y": [...]}, ...] of equal lengths.
void series_from_json(Telemetry& t, const std::string& text, const std::string& where);

// Both into a checkpoint's metadata ("record.metrics", "record.series"), and back: read_record
// checks everything (rows of `required` leading values, `rows` of them) before it replaces
// `metrics` and the series of `t`.
void write_record(Metadata& meta, const MetricsTable& metrics, const Telemetry& t);
void read_record(const Checkpoint& c, MetricsTable& metrics, Telemetry& t, size_t required,
                 size_t rows);

}  // namespace soma
