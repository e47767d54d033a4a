// The names on a chart of several series (ui/plot_panel.hpp, chart_names): a shared prefix of
// whole words names the chart, the rest each line; otherwise the main series names the chart.
#include <doctest/doctest.h>

#include "ui/plot_panel.hpp"

using soma::ui::chart_names;
using soma::ui::ChartNames;
using Names = std::vector<std::string>;

TEST_CASE("chart names: a shared prefix of whole words names the chart") {
  const ChartNames a =
      chart_names({"test accuracy ET", "test accuracy CET(10)", "test accuracy oracle"});
  CHECK(a.prefix == "test accuracy");
  CHECK(a.legend == Names{"ET", "CET(10)", "oracle"});
  const ChartNames b = chart_names(
      {"cosine to exact gradient, layer 1, ET", "cosine to exact gradient, layer 1, oracle"});
  CHECK(b.prefix == "cosine to exact gradient, layer 1");  // no trailing comma
  CHECK(b.legend == Names{"ET", "oracle"});
}

TEST_CASE("chart names: otherwise the main series names the chart and its own lines") {
  const ChartNames seeds =
      chart_names({"angle_layer1", "angle_layer1 seed 2", "angle_layer1 seed 3"});
  CHECK(seeds.prefix.empty());
  CHECK(seeds.legend == Names{"angle_layer1", "seed 2", "seed 3"});
  const ChartNames pair = chart_names({"loss", "val loss"});
  CHECK(pair.prefix.empty());
  CHECK(pair.legend == Names{"loss", "val loss"});
  // A prefix inside a word is not a prefix of words: "batch accuracy" / "batch accumulated".
  const ChartNames word = chart_names({"batch accuracy", "batch accumulated"});
  CHECK(word.prefix == "batch");
  CHECK(word.legend == Names{"accuracy", "accumulated"});
  const ChartNames inside = chart_names({"accuracy", "accumulated"});
  CHECK(inside.prefix.empty());
  CHECK(inside.legend == Names{"accuracy", "accumulated"});
  CHECK(chart_names({"loss"}).legend == Names{"loss"});
}
