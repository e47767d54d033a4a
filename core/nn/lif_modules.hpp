#pragma once
// The LIF-family layers nn::LIF, LIFBox, LI, LIFRecurrent and LIFMC now live with their models
// in core/neuron/ (one-line aliases of neuron_layer.hpp); this header keeps the old include.
#include "core/neuron/li.hpp"
#include "core/neuron/lif.hpp"
#include "core/neuron/lif_box.hpp"
#include "core/neuron/lif_mc.hpp"
#include "core/neuron/lif_recurrent.hpp"
