#pragma once
// The constants each neuron of a learnable recurrent LIF layer (core/neuron/lif_learnable.hpp)
// has learned, as two plots for the run's telemetry (plots/*.svg, the GUI): tau_mem and tau_syn
// in ms, and v_th, against the neurons sorted by their tau_mem. A layer that starts at Norse's
// defaults begins as two flat lines (10 and 5 ms) and a flat threshold; training spreads them.
#include "core/nn/module.hpp"
#include "tasks/framework/telemetry.hpp"

namespace soma {

// Publishes the plots of the first learnable layer in m (searched depth first); does nothing when
// m has none.
void publish_learned_constants(const nn::Module& m, Telemetry& telemetry);

}  // namespace soma
