#pragma once
// metrics.csv and friends: one header row, then one row per record. Values are written with
// enough digits to round-trip a float.
#include <string>
#include <vector>

#include "tasks/framework/telemetry.hpp"

namespace soma {

// Columns of equal length under the given names; written atomically.
void write_csv(const std::string& path, const std::vector<std::string>& names,
               const std::vector<std::vector<double>>& columns);
// Every series in long form: series,x,y.
void write_series_csv(const std::string& path, const std::vector<Series>& series);

}  // namespace soma
