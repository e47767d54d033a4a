#pragma once
// Training-time augmentation of image batches, as Norse's cifar10 task does it with
// torchvision's RandomCrop(32, padding=4) and RandomHorizontalFlip():
//   crop  pad the H x W image with `pad` zeros on every side and cut an H x W window at an offset
//         (oy, ox) drawn uniformly from [0, 2 pad]^2: out(y, x) = in(y + oy - pad, x + ox - pad),
//         0 where that falls outside the image;
//   flip  with probability 1/2, out(y, x) <- out(y, W - 1 - x).
// One draw per image, the same for all its channels. Data only (no gradient); the input is left
// as it is.
#include "core/random/rng.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

// images (B, C, H, W) -> a new tensor of the same shape.
Tensor random_crop_flip(const Tensor& images, int pad, Rng& rng);

}  // namespace soma
