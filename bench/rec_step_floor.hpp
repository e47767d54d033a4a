#pragma once
// The floor of one training step of the mnist rec model (784 -> 100 recurrent LIF -> 10 LI,
// T 32, batch B 256, Adam) from its arithmetic, given the measured spike densities p_in (the
// LIF encoder's output) and p_h (the hidden layer's spikes). N = T B rows, I = 784, H = 100,
// O = 10. A product with a 0/1 matrix is a sum of the rows its ones pick: p rows x width adds
// instead of 2 x rows x width flops.
//   input projection   x W_in^T          N I p_in H adds
//   its weight grad    g^T x             N I p_in H adds        (x needs no gradient)
//   recurrent input    z_{t-1} W_rec^T   N H p_h H adds
//   recurrent grads    g_{t+1} W_rec     2 N H H flops          (g is dense)
//                      g^T z_{t-1}       N H p_h H adds
//   read-out           z W_o^T           N H p_h O adds;  g_y W_o  2 N O H flops;
//                      g_y^T z           N H p_h O adds
//   neuron scans       LIF ~6 flops forward, ~12 backward per neuron-step (N H); LI ~8 (N O);
//                      the encoder's LIF ~5 per pixel-step (N I)
//   Adam               ~12 flops per parameter (H I + H H + O H + biases)
// Memory: the hidden layer's per-step arrays that must exist (forward writes z and the
// pre-reset voltage, the backward reads both and writes and reads its gradient): 6 N H floats.
// An add runs at the rate of an FMA instruction (2 flops), so
//   floor = (flops + 2 adds) / (measured GEMM flop rate) + bytes / (measured memory rate).
#include <cstdint>

namespace soma::bench {

struct RecStepWork {
  double flops = 0;  // dense arithmetic (multiply-adds count 2)
  double adds = 0;   // row additions picked by spikes
  double bytes = 0;  // unavoidable memory traffic
};

inline RecStepWork rec_step_work(double p_in, double p_h, double T = 32, double B = 256,
                                 double I = 784, double H = 100, double O = 10) {
  const double N = T * B;
  RecStepWork w;
  w.adds = 2 * N * I * p_in * H                      // input projection and its weight gradient
           + 2 * N * H * p_h * H                     // recurrent input and its weight gradient
           + 2 * N * H * p_h * O;                    // read-out and its weight gradient
  w.flops = 2 * N * H * H + 2 * N * O * H            // gradients through W_rec and W_o
            + 18 * N * H + 8 * N * O + 5 * N * I     // the scans and the encoder
            + 12 * (H * I + H * H + O * H + H + O);  // Adam
  w.bytes = 6 * N * H * 4;
  return w;
}

inline double rec_step_floor_seconds(const RecStepWork& w, double gflops, double gbytes) {
  return (w.flops + 2 * w.adds) / (gflops * 1e9) + w.bytes / (gbytes * 1e9);
}

}  // namespace soma::bench
