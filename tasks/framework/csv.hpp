#pragma once
// metrics.csv and friends: one header row, then one row per record. Values are written with
// enough digits to round-trip a float; NaN (no value) is an empty cell. Names are quoted as
// RFC 4180 says when they hold a comma, a quote or a line break.
#include <string>
#include <vector>

#include "tasks/framework/telemetry.hpp"

namespace soma {

// s as one CSV field: as is, or in double quotes with inner quotes doubled.
std::string csv_field(const std::string& s);
// Columns of equal length under the given names; written atomically.
void write_csv(const std::string& path, const std::vector<std::string>& names,
               const std::vector<std::vector<double>>& columns);
// Every series in long form: series,x,y.
void write_series_csv(const std::string& path, const std::vector<Series>& series);

}  // namespace soma
