#pragma once
// Device kernels of the CUDA backend on raw device pointers, for the ops that dispatch on a
// cuda tensor (elementwise.cpp, current_scan.cpp, the autograd engine). Plain C++ so that both
// nvcc (core/backend/cuda/*.cu) and the core include it; a build without CUDA links stubs that
// throw (core/backend/no_cuda.cpp). All launches go on the backend's one stream
// (cuda_runtime.hpp) and return without waiting.
#include <cstdint>

#include "core/backend/cuda/lsnn_cell_body.hpp"

namespace soma::cuda {

enum class BinaryOp { add, sub, mul, div };
// out[k] = a[k] op b[k] over n elements (out may alias a or b).
void binary(BinaryOp op, const float* a, const float* b, int64_t n, float* out);
// out[k] = a[k] op b.
void binary_scalar(BinaryOp op, const float* a, float b, int64_t n, float* out);

// The unary ops of core/ops/elementwise.hpp and spike_fn (equations in cuda/unary_body.hpp);
// a and b are pow's exponent, clamp's bounds, softplus's beta and threshold; spike's surrogate
// is `method` (int(SurrogateMethod)) with alpha a.
enum class UnaryOp {
  exp,
  log,
  abs,
  sqrt,
  square,
  relu,
  sigmoid,
  tanh,
  pow,
  clamp,
  softplus,
  spike
};
struct UnaryArgs {
  float a = 0, b = 0;
  int method = 0;
};
// y[k] = f(x[k]); gx[k] = g[k] f'(x[k]) (y: the forward's output, read by exp, sqrt, sigmoid
// and tanh only, else may be null).
void unary(UnaryOp op, UnaryArgs args, const float* x, int64_t n, float* y);
void unary_backward(UnaryOp op, UnaryArgs args, const float* x, const float* y, const float* g,
                    int64_t n, float* gx);

// The current-based leaky scan of core/neuron/current_scan.hpp (LIF, LIF-box, LI): the same
// recurrence, one thread per neuron with its state in registers, looping over the T steps.
// surrogate is int(SurrogateMethod) (surrogate.hpp; current_scan.cpp asserts the numbering).
struct LeakyScanParams {
  float am, keep_i, v_leak, v_th, v_reset;
  bool spiking, reset_value;
  int surrogate;
  float alpha;
  int64_t steps, width;       // arrays are (steps, width), time-major; state arrays (width)
  bool detach_reset = false;  // no gradient through the reset term (recurrent LIF, as Norse)
};

// x in; v, i in/out; z, v_dec, trace out, each may be null (as scan_forward).
struct LeakyScanArrays {
  const float* x;
  float* v;
  float* i;
  float* z;
  float* v_dec;
  float* trace;
};

// The adjoint, as scan_backward: gv and gi are in dL/d(final state), out dL/d(initial state).
struct LeakyScanGrads {
  const float* v_dec;   // saved by the forward (spiking models)
  const float* gz;      // or null
  const float* gtrace;  // or null
  float* gx;
  float* gv;
  float* gi;
};

void leaky_scan_forward(const LeakyScanParams& p, const LeakyScanArrays& a);
void leaky_scan_backward(const LeakyScanParams& p, const LeakyScanGrads& g);
// The forward scan with one constant input per neuron (a.x has width floats, read every step):
// the constant-current encoder, without a (steps, width) input array.
void leaky_scan_constant_forward(const LeakyScanParams& p, const LeakyScanArrays& a);

// constant_current_pool_scan on the GPU (equations in cuda/constant_pool_body.hpp): count
// planes of h x w neurons (h, w >= 2), each driven by x at every one of p.steps steps, their
// spikes max-pooled over 2 x 2 windows (windows = count (h / 2) (w / 2)).
struct PoolScanShape {
  int64_t count, h, w;
};
// x in, v, i (count, h, w) in/out; pooled (steps, windows) out; z (steps, count, h, w) or null.
struct PoolScanArrays {
  const float* x;
  float* v;
  float* i;
  float* pooled;
  float* z;
};
// x, v0, i0 as the forward's inputs; gpooled (steps, windows); v_dec: a (steps, 4, windows)
// scratch; gx (count, h, w) out, written at the windows' taps only (the caller zeroes the rest).
struct PoolScanGrads {
  const float* x;
  const float* v0;
  const float* i0;
  const float* gpooled;
  float* v_dec;
  float* gx;
};
void pool_scan_forward(const LeakyScanParams& p, const PoolScanShape& s, const PoolScanArrays& a);
void pool_scan_backward(const LeakyScanParams& p, const PoolScanShape& s, const PoolScanGrads& g);

// The fused scan of a feed-forward neuron model whose step and adjoint are a Cell shared with
// the CPU's cell_scan (core/neuron/cell_scan.hpp): the cells of cuda/cell_list.hpp (IAF, LSNN,
// LIF-Ex, AdEx, AdaLIF, Izhikevich, the refractory LIF and AdEx, CobaLIF), one thread per neuron
// with its state in registers over the T steps (cuda/cell_scan_body.hpp). Per-variable arrays
// beyond the cell's counts are unused. AdEx-refrac has 4 state variables, CobaLIF saves 5 floats.
constexpr int kCellMaxState = 4, kCellMaxSaved = 5;
// x (steps, width) in; state[j] (width) in/out; z (steps, width) out; saved[j] (steps, width)
// out, or all null (no backward will run); trace[j] (steps, width) out, or all null.
struct CellScanArrays {
  int64_t steps, width;
  const float* x;
  float* state[kCellMaxState];
  float* z;
  float* saved[kCellMaxSaved];
  float* trace[kCellMaxState];
};
// The reverse scan: gstate[j] in dL/d(final state), out dL/d(initial state); gtrace[j] all null
// when no states were recorded. gx may alias gz (each thread reads a step's gz before it writes
// that step's gx).
struct CellScanGrads {
  int64_t steps, width;
  const float* saved[kCellMaxSaved];
  const float* gz;
  const float* gtrace[kCellMaxState];
  float* gx;
  float* gstate[kCellMaxState];
};
// Instantiated for every cell of cuda/cell_list.hpp (cell_scan.cu; no_cuda.cpp throws).
template <class Cell>
void cell_scan_forward(const Cell& c, const CellScanArrays& a);
template <class Cell>
void cell_scan_backward(const Cell& c, const CellScanGrads& g);

// One step of the recurrent LIF layer: the recurrent product and the LIF update fused, one
// thread per neuron of the (B, H) step (equations in cuda/recurrent_body.hpp). p: steps 1,
// width B H, detach_reset as the layer.
struct RecurrentStep {
  int64_t hidden;
  const float* w;       // (H, H)
  const float* z_prev;  // (B, H) spikes of the previous step (z0 at the first)
  const float* x;       // (B, H) input current of this step
  float* v;             // (B, H) state, in/out
  float* i;
  float* z;      // (B, H) out
  float* v_dec;  // (B, H) out, for the backward
};
struct RecurrentStepGrads {
  int64_t hidden;
  const float* w;
  const float* gcur_next;  // (B, H) dL/dcur of step t + 1, null at the last step
  const float* gz;         // (B, H) dL/dz_t from above
  const float* v_dec;      // (B, H) saved by the forward
  float* gcur;             // (B, H) out: dL/dcur_t (= dL/dx_t)
  float* gv;               // (B, H) state gradients, in/out
  float* gi;
};
void recurrent_step_forward(const LeakyScanParams& p, const RecurrentStep& s);
void recurrent_step_backward(const LeakyScanParams& p, const RecurrentStepGrads& g);

// The learnable recurrent LIF layer's steps (lif_learnable_body.hpp): as the two above, with
// each neuron's own constants a, k, th (H) and three saved values per neuron-step.
struct LearnableLifParams {
  int64_t hidden, width;    // H; B H neurons per step
  const float *a, *k, *th;  // (H) each: dt / tau_mem, 1 - dt / tau_syn, v_th
  float v_leak, v_reset;
  bool reset_value;
  int surrogate;
  float alpha;
};
struct LearnableRecurrentStep {
  const float* w;       // (H, H)
  const float* z_prev;  // (B, H)
  const float* x;       // (B, H)
  float *v, *i;         // (B, H) state, in/out
  float* z;             // (B, H) out
  float *vd, *u, *j;    // (B, H) out, for the backward
};
struct LearnableRecurrentGrads {
  const float* w;
  const float* gcur_next;  // (B, H) dL/dcur of step t + 1, null at the last step
  const float* gz;         // (B, H) dL/dz_t from above
  const float *vd, *u, *j;
  float* gcur;           // (B, H) out: dL/dx_t
  float *gv, *gi;        // (B, H) state gradients, in/out
  float *ga, *gk, *gth;  // (B, H) each: this neuron's constants' gradient terms, accumulated
};
void learnable_step_forward(const LearnableLifParams& p, const LearnableRecurrentStep& s);
void learnable_step_backward(const LearnableLifParams& p, const LearnableRecurrentGrads& g);

// STDP (core/plasticity/stdp.hpp) on the device, in place (equations in cuda/stdp_body.hpp):
// t[k] = stdp_trace_next(t[k], z[k], rate, a) over n traces, and w[k] = stdp_weight_next(b, w[k],
// pot[k], dep[k]) over n weights. rule is int(STDPRule).
struct StdpBounds {
  int rule;
  float w_min, w_max, eta_plus, eta_minus, mu;
  bool hardbound;
};
void stdp_trace(const float* z, float* t, int64_t n, float rate, float a);
void stdp_weights(const StdpBounds& b, float* w, const float* pot, const float* dep, int64_t n);

// One optimizer step over n parameter elements in place (equations in cuda/optim_body.hpp).
struct AdamStep {
  float beta1, beta2, eps, weight_decay;
  float step_size;         // lr / (1 - beta1^t)
  float sqrt_correction2;  // sqrt(1 - beta2^t)
  float decay;             // 1 - lr weight_decay (decoupled only)
  bool decoupled;
};
void adam_step(const AdamStep& s, int64_t n, float* p, const float* g, float* m, float* v);

struct SgdStep {
  float lr, momentum, dampening, weight_decay;
  bool nesterov;
  bool first;  // the momentum buffer starts as d
};
// buf: the momentum buffer, unused (may be null) when momentum is 0.
void sgd_step(const SgdStep& s, int64_t n, float* p, const float* g, float* buf);

// Poisson spikes (steps, n) from rates x (n): out[t n + j] = [U < rate_scale x_j], U from
// Philox4x32-10 keyed by `key` (equations in cuda/encode_body.hpp); signed_spikes: the rate
// from |x_j| and the spike x_j's sign (signed_poisson_encode).
struct PoissonDraw {
  uint64_t key;
  float rate_scale;  // dt f_max
  int64_t n, total;  // total = steps n
  bool signed_spikes = false;
};
void poisson_encode(const PoissonDraw& d, const float* x, float* out);

// Along one dimension of a tensor seen as (outer, n, inner): one thread per (outer, inner) lane
// (equations in cuda/reduce_body.hpp). Outputs have outer * inner elements.
struct LaneShape {
  int64_t outer, n, inner;
};
void lane_sum(const LaneShape& l, const float* x, float* out);
void lane_expand(const LaneShape& l, const float* g, float scale, float* out);  // sum's backward
void lane_max(const LaneShape& l, const float* x, float* out, float* idx);
void lane_max_backward(const LaneShape& l, const float* g, const float* idx, float* gx);
void log_softmax_forward(const LaneShape& l, const float* x, float* y);
void log_softmax_backward(const LaneShape& l, const float* g, const float* y, float* gx);
// NLL over (n, c) log-probabilities with n class indices (as floats): per-row losses, and the
// gradient from g[i] (each) or g[0] scale (a reduced loss).
void nll_forward(int64_t n, int64_t c, const float* lp, const float* target, float* per);
void nll_backward(int64_t n, int64_t c, const float* target, const float* g, float scale, bool each,
                  float* gx);

// One step of the recurrent LSNN layer (core/neuron/lsnn.hpp): the recurrent product and the
// adaptive-threshold update fused, one thread per neuron of the (B, H) step (equations in
// cuda/lsnn_body.hpp). The reset is detached, the threshold jump is not (LsnnCell).
struct LsnnParams {
  LsnnCell cell;  // the neuron (reset detached, as Norse's recurrent LSNN)
  int64_t width;  // B H
};
struct LsnnStep {
  int64_t hidden;
  const float* w;       // (H, H)
  const float* z_prev;  // (B, H) spikes of the previous step (z0 at the first)
  const float* x;       // (B, H) input current of this step
  float* v;             // (B, H) state, in/out
  float* i;
  float* b;
  float* z;      // (B, H) out
  float* v_dec;  // (B, H) out, for the backward
  float* b_dec;  // (B, H) out, for the backward
};
struct LsnnStepGrads {
  int64_t hidden;
  const float* w;
  const float* gcur_next;  // (B, H) dL/dcur of step t + 1, null at the last step
  const float* gz;         // (B, H) dL/dz_t from above
  const float* v_dec;      // (B, H) saved by the forward
  const float* b_dec;
  float* gcur;  // (B, H) out: dL/dcur_t (= dL/dx_t)
  float* gv;    // (B, H) state gradients, in/out
  float* gi;
  float* gb;
};
void lsnn_step_forward(const LsnnParams& p, const LsnnStep& s);
void lsnn_step_backward(const LsnnParams& p, const LsnnStepGrads& g);

// The fused LSTM cell (core/ops/lstm_cell.hpp; equations in cuda/lstm_body.hpp), one thread
// per hidden unit of the (B, H) step.
struct LstmCellForward {
  int64_t hidden;
  const float* a;       // (B, 4H) gate pre-activations
  const float* c_prev;  // (B, H)
  float* h;             // (B, H)
  float* c;             // (B, H)
  float* gates;         // (B, 4H) i, f, g, o after their activations
};
struct LstmCellBackward {
  int64_t hidden;
  const float* gates;   // (B, 4H) from the forward
  const float* c_prev;  // (B, H)
  const float* c;       // (B, H) the forward's new cell state
  const float* gh;      // (B, H) dL/dh
  const float* gc;      // (B, H) dL/dc
  float* ga;            // (B, 4H) dL/da
  float* gc_prev;       // (B, H)
};
void lstm_cell(int64_t batch, const LstmCellForward& p);
void lstm_cell(int64_t batch, const LstmCellBackward& p);

// Broadcasting binary ops and their gradients' reduction (cuda/broadcast_body.hpp; the plans
// are made by cuda/broadcast_plan.hpp from the shapes). Shapes are padded on the left to
// kBroadcastDims (= kMaxDims).
constexpr int kBroadcastDims = 5;
struct BroadcastPlan {
  int64_t numel;                     // of the output
  int64_t size[kBroadcastDims];      // the output's shape
  int64_t a_stride[kBroadcastDims];  // 0 where a is broadcast
  int64_t b_stride[kBroadcastDims];  // 0 where b is broadcast
};
// out[k] = a[ia(k)] op b[ib(k)] over the broadcast shape.
void binary_broadcast(BinaryOp op, const BroadcastPlan& p, const float* a, const float* b,
                      float* out);
// The sum of g over the dimensions a smaller shape was broadcast along: out has out_numel
// elements, each the sum of reduced_numel elements of g.
struct SumToPlan {
  int64_t out_numel, reduced_numel;
  int kept, reduced;  // how many dimensions of each kind
  int64_t kept_size[kBroadcastDims], kept_stride[kBroadcastDims];        // strides in g
  int64_t reduced_size[kBroadcastDims], reduced_stride[kBroadcastDims];  // strides in g
};
void sum_to(const SumToPlan& p, const float* g, float* out);

// Binary cross-entropy per element of n (equations in cuda/bce_body.hpp): per[i] the loss;
// the backward from the upstream g (g[i] with `each`, else scale g[0]); gt may be null.
struct BceGrad {
  const float *p, *y, *g;
  float scale;
  bool each;
  float *gx, *gt;
};
void bce_forward(const float* p, const float* y, int64_t n, float* per);
void bce_backward(const BceGrad& b, int64_t n);

}  // namespace soma::cuda
