#pragma once
// Small tensors read to the host together. On cuda every read of device memory makes the host
// wait for all the work queued before it (cuda::copy synchronizes), and the GPU then idles until
// the host queues more: a training step that read its loss, then its scores, waited twice, and
// the memory task's step five times. to_host packs the device tensors into one buffer on the
// device (cat) and copies that once: one wait, whatever the count.
#include "core/tensor/tensor.hpp"

namespace soma {

// CPU tensors with xs' values and shapes, without history, in xs' order. A tensor already on
// the CPU comes back as it is (detached, its storage shared).
Tensors to_host(const Tensors& xs);

}  // namespace soma
