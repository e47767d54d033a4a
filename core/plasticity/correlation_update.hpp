#pragma once
// Learned plasticity from correlation sensors (Norse's correlation_based_update, as its
// correlation experiment uses it): every `every` steps the weights w (out, in) move by a
// learned linear map of the sensors' traces, and the traces restart from 0 (post_pre is kept):
//   f  = [mean_b c ; mean_b ac]                         (2 out in) features, each trace in the
//                                                       row-major (o, i) order of w
//   dw = reshape(map_w f + map_b, (out, in))            map_w (out in, 2 out in), map_b (out in)
//   w' = w + lr dw
// (Norse runs batch 1; the batch mean makes one update of the shared weights.) The update is
// composed from ops, so w' is differentiable in w, map_w and map_b and the maps can be trained
// with Adam through the loss of the steps that follow; the traces enter as data. Norse detaches
// dw, so there its maps never receive a gradient. Defaults as the experiment: lr 0.01, every 10.
#include "core/plasticity/correlation_sensor.hpp"

namespace soma {

// Returns w unchanged (the same handle) unless step % every == 0; otherwise the updated weights,
// and zeroes s.correlation and s.anti_correlation in place.
Tensor correlation_based_update(int64_t step, const Tensor& w, CorrelationSensorState& s,
                                const Tensor& map_w, const Tensor& map_b, float lr = 0.01f,
                                int every = 10);

}  // namespace soma
