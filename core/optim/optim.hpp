#pragma once
// Optimizers, learning-rate schedules and gradient clipping.
#include "core/optim/adam.hpp"
#include "core/optim/clip.hpp"
#include "core/optim/optimizer.hpp"
#include "core/optim/schedule.hpp"
#include "core/optim/sgd.hpp"
