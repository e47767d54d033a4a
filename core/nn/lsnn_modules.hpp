#pragma once
// nn::LSNN and nn::LSNNRecurrent now live with their model in core/neuron/lsnn.hpp (one-line
// aliases of neuron_layer.hpp); this header keeps the old include.
#include "core/neuron/lsnn.hpp"
