#pragma once
// The modes of batch_norm that its host-checked CUDA body (tests/core/test_cuda_norm_bodies.cpp)
// and the GPU suite (tests/cuda/test_cuda_norm.cpp) compare with the CPU op, for each shape:
// training or evaluation, affine or not, running statistics given or not (evaluation needs
// them).
#include <doctest/doctest.h>

#include <initializer_list>

#include "core/tensor/shape.hpp"

namespace soma::test {

struct BnCase {
  Shape shape;
  bool training, affine, track;  // track: running statistics given (always in evaluation)
};

template <class Check>
void for_each_bn_case(std::initializer_list<Shape> shapes, Check check) {
  for (const Shape& shape : shapes)
    for (bool training : {true, false})
      for (bool affine : {true, false})
        for (bool track : {true, false}) {
          if (!training && !track) continue;
          CAPTURE(to_string(shape));
          CAPTURE(training);
          CAPTURE(affine);
          CAPTURE(track);
          check(BnCase{shape, training, affine, track});
        }
}

}  // namespace soma::test
