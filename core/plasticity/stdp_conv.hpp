#pragma once
// STDP for a 2-D convolution (Norse's stdp_step_conv2d): the linear rule of stdp.hpp applied to
// the im2col patches. With z_pre (B, C_in, H, W), z_post (B, C_out, oH, oW) and the kernel
// w (C_out, C_in, kh, kw) seen as (C_out, C_in kh kw), and U = unfold2d (the same im2col as
// conv2d, (B, C_in kh kw, oH oW)):
//   dw = A+(w) * sum_b z_post_b U(t_pre')_b^T - A-(w) * sum_b t_post'_b U(z_pre)_b^T
// Every output pixel is one post-synaptic neuron sharing the kernel, so a 1x1 kernel at stride 1
// is stdp_step_linear with (batch x pixels) rows. Traces are shaped as z_pre and z_post.
#include "core/ops/conv.hpp"
#include "core/plasticity/stdp.hpp"

namespace soma {

void stdp_step_conv2d(const Tensor& z_pre, const Tensor& z_post, Tensor& w, STDPState& s,
                      const STDPParameters& p = {}, Conv2dOptions opt = {});

}  // namespace soma
