#pragma once
// Weight updates of one Euler step (after the somata moved), seed snapshot 713a899 plus PAL:
//   W_k   += dt eta_fw_k [r_k - phi(g vbas_k(t-dt))] r_{k-1}(t-dt)^T,
//            g = gbas/(gl+gbas+gapi) hidden, gbas/(gl+gbas) output   (Urbanczik-Senn)
//            with dWPP_low_pass: W += dW_LO, dW_LO += dt/tauLO (dW - dW_LO)
//   WIP_j += dt eta_IP [rI_j - phi(gden/(gl+gden) vden_j(t-dt))] r_{in(j)}(t-dt)^T
//   BPI_k -= dt eta_PI_k vapi_k rI(t-dt)^T                              (apical silencing)
//   BPP_k by rule:  BP     B = W_top^T, BPI = -B (the seed forgot BPI and diverges)
//                   FA     fixed
//                   LDRL   += dt eta_bw [xi_k r_HI^T - alpha B]         (active layer only)
//                   PAL    the same in every hidden layer
//                   DTPDRL -= dt eta_bw [(B r_HI - xi) r_HI^T + alpha B] (active layer only;
//                             without the high-pass (B r + BPI rI - xi) r^T)
// gate_regularizer scales row i of alpha B by phi'(u_breve_k,i).
// High-pass of the top-down rates (pyr_hi_pass): r_HI += (r - r_old) - dt/tauHP r_HI,
// updated before the weights as in the seed code; r_HI = r without it.
#include "tasks/microcircuit/model.hpp"

namespace soma::mc {

void update_high_pass(Model& m);
void update_weights(Model& m);

}  // namespace soma::mc
