#pragma once
// Every layer.
#include "core/nn/activation.hpp"
#include "core/nn/batch_norm.hpp"
#include "core/nn/conv.hpp"
#include "core/nn/dropout.hpp"
#include "core/nn/flatten.hpp"
#include "core/nn/init.hpp"
#include "core/nn/lambda.hpp"
#include "core/nn/linear.hpp"
#include "core/nn/module.hpp"
#include "core/nn/pool.hpp"
#include "core/nn/sequential.hpp"
