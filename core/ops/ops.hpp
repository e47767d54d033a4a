#pragma once
// Every differentiable op.
#include "core/ops/conv.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/host_readback.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/loss.hpp"
#include "core/ops/norm.hpp"
#include "core/ops/reduce.hpp"
#include "core/ops/shape_ops.hpp"
