#include "core/neuron/current_scan.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/device_check.hpp"
#include "core/backend/parallel.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

CurrentScanConfig lif_scan_config(const LIFParameters& p, bool box, bool spiking) {
  return {p.dt * p.tau_mem_inv,
          box ? 0.0f : 1.0f - p.dt * p.tau_syn_inv,
          p.v_leak,
          p.v_th,
          p.v_reset,
          p.reset,
          p.surrogate,
          spiking};
}

namespace {

// Neurons are independent and time is sequential: each thread owns a contiguous range of
// neurons and walks all steps over it, the inner loop running across neurons so it vectorises.
// Ranges start at multiples of `align` neurons.
template <class F>
void for_neuron_ranges(ScanExtent e, F&& f, int64_t align = 16) {
  parallel_slices(e.width, e.width >= 4096 && e.width * e.steps >= (int64_t(1) << 16), f, align);
}

}  // namespace

// The kernels are compiled per instruction-set level (core/backend/cpu/kernels_isa.inl).
void scan_forward_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                        const float* x, float* v, float* i, float* z, float* v_dec, float* trace) {
  active_kernels().scan_forward_range(c, e, k0, k1, x, v, i, z, v_dec, trace);
}

void scan_forward(const CurrentScanConfig& c, ScanExtent e, const float* x, float* v, float* i,
                  float* z, float* v_dec, float* trace) {
  for_neuron_ranges(e, [&](int64_t k0, int64_t k1) {
    scan_forward_range(c, e, k0, k1, x, v, i, z, v_dec, trace);
  });
}

int64_t scan_step_spikes(const CurrentScanConfig& c, int64_t rows, int64_t cols, const float* x,
                         float* v, float* i, float* z, float* v_dec, int64_t* row_end,
                         int32_t* out) {
  if (!c.spiking) throw std::invalid_argument("scan_step_spikes: the scan must spike");
  return active_kernels().scan_step_spikes(c, rows, cols, x, v, i, z, v_dec, row_end, out);
}

void scan_backward_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                         const float* v_dec, ScanGrads g, bool detach_reset) {
  active_kernels().scan_backward_range(c, e, k0, k1, v_dec, g, detach_reset);
}

void scan_backward(const CurrentScanConfig& c, ScanExtent e, const float* v_dec, ScanGrads g) {
  const IsaKernels& k = active_kernels();
  for_neuron_ranges(
      e, [&](int64_t k0, int64_t k1) { k.scan_backward_range(c, e, k0, k1, v_dec, g, false); });
}

static_assert(int(SurrogateMethod::super) == 0 && int(SurrogateMethod::logistic) == 6,
              "cuda::LeakyScanParams::surrogate numbers the methods as SurrogateMethod");

cuda::LeakyScanParams leaky_scan_params(const CurrentScanConfig& c, ScanExtent e) {
  return {c.am,
          c.keep_i,
          c.v_leak,
          c.v_th,
          c.v_reset,
          c.spiking,
          c.reset == Reset::value,
          int(c.surrogate.method),
          c.surrogate.alpha,
          e.steps,
          e.width};
}

namespace {

// The scan on the device of its tensors: the CPU kernels above or their CUDA twins.
void run_forward(Device d, const CurrentScanConfig& c, ScanExtent e, const float* x, float* v,
                 float* i, float* z, float* v_dec, float* trace) {
  if (d == Device::cuda)
    cuda::leaky_scan_forward(leaky_scan_params(c, e), {x, v, i, z, v_dec, trace});
  else
    scan_forward(c, e, x, v, i, z, v_dec, trace);
}

void run_backward(Device d, const CurrentScanConfig& c, ScanExtent e, const float* v_dec,
                  ScanGrads g) {
  if (d == Device::cuda)
    cuda::leaky_scan_backward(leaky_scan_params(c, e), {v_dec, g.gz, g.gtrace, g.gx, g.gv, g.gi});
  else
    scan_backward(c, e, v_dec, g);
}

float* ptr(Tensor& t) {
  return t.defined() ? t.raw_data() : nullptr;
}

// constant_input_spikes on the GPU (checked by it). The spikes are dense values (a spike index
// would need a compaction pass).
Tensor constant_input_spikes_cuda(const Tensor& x, const Shape& shape, const Tensor& v0,
                                  const Tensor& i0, const CurrentScanConfig& c) {
  Tensor v = v0.clone(), i = i0.clone(), z = Tensor::uninitialized(shape, Device::cuda);
  cuda::leaky_scan_constant_forward(
      leaky_scan_params(c, {shape[0], x.numel()}),
      {x.raw_data(), v.raw_data(), i.raw_data(), z.raw_data(), nullptr, nullptr});
  return z;
}

}  // namespace

CurrentScanResult current_scan(const Tensor& x, const Tensor& v0, const Tensor& i0,
                               const CurrentScanConfig& c, bool record_trace) {
  if (x.dim() < 1) throw std::invalid_argument("neuron scan: input needs a time dimension");
  Shape step_shape(x.shape().begin() + 1, x.shape().end());
  if (v0.shape() != step_shape || i0.shape() != step_shape)
    throw std::invalid_argument("neuron scan: state " + to_string(v0.shape()) +
                                " does not match input steps " + to_string(step_shape));
  const Device d = require_device("current_scan", x, v0, i0);
  record_trace = record_trace || !c.spiking;
  ScanExtent e{x.size(0), numel_of(step_shape)};
  Tensor z = c.spiking ? Tensor::uninitialized(x.shape(), d) : Tensor();
  // The pre-reset voltage is kept only for a backward pass that will happen.
  const bool grad =
      GradMode::enabled() && (x.requires_grad() || v0.requires_grad() || i0.requires_grad());
  Tensor v_dec = c.spiking && grad ? Tensor::uninitialized(x.shape(), d) : Tensor();
  Tensor trace = record_trace ? Tensor::uninitialized(x.shape(), d) : Tensor();
  Tensor v = v0.clone(), i = i0.clone();
  run_forward(d, c, e, x.raw_data(), v.raw_data(), i.raw_data(), ptr(z), ptr(v_dec), ptr(trace));
  Tensors outs{v, i};
  if (c.spiking) outs.push_back(z);
  if (record_trace) outs.push_back(trace);
  Shape xs = x.shape();
  outs = record_multi("current_scan", outs, {x, v0, i0}, [c, e, v_dec, xs, d](const Tensors& g) {
    // On the GPU dL/dx overwrites dL/dz in place when the engine alone holds it (each thread
    // reads an element before it writes it): one (T, B, n) buffer less in the scan's backward
    // (bench_lif_layer's training step on the emulator: n = 4096 706 -> 578 MiB; n = 16384
    // 3592 -> 3588 MiB, its peak now the weight gradient's GEMM). The CPU kernels assume no
    // aliasing.
    const bool reuse = d == Device::cuda && c.spiking && exclusively_owned(g[2]);
    Tensor gx = reuse ? g[2] : Tensor::uninitialized(xs, d);
    Tensor gv = g[0].clone(), gi = g[1].clone();
    const float* gz = c.spiking ? g[2].raw_data() : nullptr;
    const float* gtrace = g.size() > (c.spiking ? 3u : 2u) ? g.back().raw_data() : nullptr;
    run_backward(d, c, e, c.spiking ? v_dec.raw_data() : nullptr,
                 {gz, gtrace, gx.raw_data(), gv.raw_data(), gi.raw_data()});
    return Tensors{gx, gv, gi};
  });
  CurrentScanResult r{Tensor(), outs[0], outs[1], Tensor()};
  if (c.spiking) r.z = outs[2];
  if (record_trace) r.trace = outs.back();
  return r;
}

namespace {

// One block of kConstantScanBlock neurons of the constant-input scan: counts[t] spikes at step
// t, whose offsets in the block follow one another in `lanes`, step after step.
struct BlockSpikes {
  std::vector<int64_t> counts;
  std::vector<int32_t> lanes;
};

// The flat indices t * width + k of all blocks' spikes, ascending (step-major, then block
// order, which is neuron order), in one allocation of the exact size.
std::shared_ptr<Storage::SpikeIndex> merge_spikes(const std::vector<BlockSpikes>& blocks,
                                                  ScanExtent e) {
  size_t total = 0;
  for (const BlockSpikes& b : blocks) total += b.lanes.size();
  auto index = std::make_shared<Storage::SpikeIndex>(total);
  std::vector<size_t> next(blocks.size(), 0);  // per block: its first lane of step t
  int64_t* out = index->data();
  for (int64_t t = 0; t < e.steps; ++t)
    for (size_t b = 0; b < blocks.size(); ++b) {
      const int64_t n = blocks[b].counts[size_t(t)];
      const int64_t base = t * e.width + int64_t(b) * kConstantScanBlock;
      const int32_t* l = blocks[b].lanes.data() + next[b];
      for (int64_t a = 0; a < n; ++a) *out++ = base + l[a];
      next[b] += size_t(n);
    }
  return index;
}

// The spikes as periods (periodic_spikes.hpp), block by block (each block's neurons ascending),
// or null when a neuron's spikes need not repeat or the kernel is not built (WebAssembly).
std::shared_ptr<PeriodicSpikes> constant_input_periods(const CurrentScanConfig& c, ScanExtent e,
                                                       const float* x, const float* v,
                                                       const float* i) {
  const IsaKernels& k = active_kernels();
  if (!k.scan_constant_periods || e.steps > kMaxPeriodicSteps || e.width > INT32_MAX)
    return nullptr;
  // Each block's entries at its own offset; kept between calls (fresh buffers of this size cost
  // page faults every batch).
  thread_local std::vector<int32_t> ids;
  thread_local std::vector<uint16_t> periods;
  ids.resize(size_t(e.width)), periods.resize(size_t(e.width));
  std::vector<int64_t> counts(size_t((e.width + kConstantScanBlock - 1) / kConstantScanBlock));
  std::atomic<bool> repeats{true};
  int32_t* id = ids.data();
  uint16_t* per = periods.data();
  for_neuron_ranges(
      e,
      [&](int64_t k0, int64_t k1) {
        auto memo = std::make_unique<PeriodMemo>();
        memo->clear();
        for (int64_t b0 = k0; b0 < k1; b0 += kConstantScanBlock) {
          const int64_t b1 = std::min(k1, b0 + kConstantScanBlock);
          const int64_t n =
              k.scan_constant_periods(c, e.steps, b0, b1, x, v, i, id + b0, per + b0, *memo);
          counts[size_t(b0 / kConstantScanBlock)] = n;
          if (n < 0) repeats.store(false, std::memory_order_relaxed);
        }
      },
      kConstantScanBlock);
  if (!repeats.load()) return nullptr;
  auto out = std::make_shared<PeriodicSpikes>();
  out->steps = e.steps, out->width = e.width;
  int64_t total = 0;
  for (int64_t n : counts) total += n;
  out->neuron.resize(size_t(total)), out->period.resize(size_t(total));
  for (int64_t b = 0, a = 0; b < int64_t(counts.size()); ++b) {
    const int64_t b0 = b * kConstantScanBlock;
    for (int64_t j = 0; j < counts[size_t(b)]; ++j, ++a)
      out->neuron[size_t(a)] = int32_t(b0 + id[b0 + j]), out->period[size_t(a)] = per[b0 + j];
  }
  return out;
}

}  // namespace

Tensor constant_input_spikes(const Tensor& x, int64_t steps, const Tensor& v0, const Tensor& i0,
                             const CurrentScanConfig& c) {
  if (!c.spiking) throw std::invalid_argument("constant_input_spikes: the scan must spike");
  if (steps <= 0) throw std::invalid_argument("constant_input_spikes: steps must be positive");
  if (v0.shape() != x.shape() || i0.shape() != x.shape())
    throw std::invalid_argument("constant_input_spikes: state " + to_string(v0.shape()) +
                                " does not match input " + to_string(x.shape()));
  Shape shape{steps};
  shape.insert(shape.end(), x.shape().begin(), x.shape().end());
  if (require_device("constant_input_spikes", x, v0, i0) == Device::cuda)
    return constant_input_spikes_cuda(x, shape, v0, i0, c);
  const ScanExtent e{steps, x.numel()};
  const float *xp = x.data(), *vp = v0.data(), *ip = i0.data();
  if (auto periodic = constant_input_periods(c, e, xp, vp, ip))
    return Tensor::from_periodic_spikes(shape, std::move(periodic));
  // Each block's spikes in its own slot: the threads' ranges are whole blocks.
  std::vector<BlockSpikes> blocks(size_t((e.width + kConstantScanBlock - 1) / kConstantScanBlock));
  const IsaKernels& k = active_kernels();
  for_neuron_ranges(
      e,
      [&](int64_t k0, int64_t k1) {
        // Each step's lanes and the kernel's room (isa_kernels.hpp).
        std::vector<int32_t> lanes(size_t(steps * (kConstantScanBlock + 16)));
        for (int64_t b0 = k0; b0 < k1; b0 += kConstantScanBlock) {
          const int64_t b1 = std::min(k1, b0 + kConstantScanBlock);
          BlockSpikes& out = blocks[size_t(b0 / kConstantScanBlock)];
          out.counts.resize(size_t(steps));
          k.scan_constant_range(c, e, b0, b1, xp, vp, ip, lanes.data(), out.counts.data());
          for (int64_t t = 0; t < steps; ++t) {
            const int32_t* l = lanes.data() + t * (b1 - b0 + 16);
            out.lanes.insert(out.lanes.end(), l, l + out.counts[size_t(t)]);
          }
        }
      },
      kConstantScanBlock);
  // The values are written only if someone reads them: linear needs the index alone.
  return Tensor::from_spike_index(shape, merge_spikes(blocks, e));
}

Tensor synaptic_current_trace(const Tensor& x, const Tensor& i0, float keep_i) {
  // A non-spiking current scan with am = 1 and v_leak = 0 has v_t = v + (0 - v + j_t) = j_t =
  // i_{t-1} + x_t, so its voltage trace times keep_i is the current.
  CurrentScanConfig c{1.0f, keep_i, 0, 0, 0, Reset::value, Surrogate{}, false};
  return current_scan(x, Tensor::zeros(i0.shape(), i0.device()), i0, c, true).trace * keep_i;
}

}  // namespace soma
