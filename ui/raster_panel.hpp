#pragma once
// Spike rasters, membrane / read-out traces and weight heat maps from Telemetry, drawn with
// ImGui's draw lists. Each bins its data to at most one cell per pixel first, so the vertex count
// is bounded by the panel's area, not by the number of spikes or weights.
#include <imgui.h>

#include "tasks/framework/telemetry.hpp"

namespace soma::ui {

// Time runs left to right, neurons top to bottom; a dot where a neuron spiked.
void draw_raster(const Raster& r, ImVec2 size);
// One line per channel (at most 16), in the palette's colours, on a shared y range.
void draw_traces(const Traces& t, ImVec2 size);
// A diverging map (blue, black, red; symmetric around 0) when the picture has negative values,
// black to yellow otherwise.
void draw_heatmap(const Image& img, ImVec2 size);

}  // namespace soma::ui
