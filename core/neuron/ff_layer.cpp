#include "core/neuron/ff_layer.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"
#include "core/backend/gemm.hpp"
#include "core/backend/parallel.hpp"
#include "core/backend/spike_scan.hpp"
#include "core/ops/conv_kernels.hpp"
#include "core/ops/conv_sparse_grad.hpp"
#include "core/ops/conv_spikes.hpp"
#ifdef SOMA_CUDA
#include "core/ops/cuda_spike_linear.hpp"
#endif
#include "core/ops/linalg.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

namespace {

// The synaptic part of a fused layer, applied to blocks of time steps [t0, t1).
class Synapse {
 public:
  virtual ~Synapse() = default;
  // cur (t1 - t0 steps of the output) = W x[t0:t1] + b.
  virtual void currents(int64_t t0, int64_t t1, float* cur) const = 0;
  // Accumulates the gradients of the synapse inputs from the currents' gradient of a block.
  virtual void backward(int64_t t0, int64_t t1, const float* gcur) = 0;
  // The gradients of (x, weight, bias), after all blocks.
  virtual Tensors finish() = 0;
  // Drops what only the forward needed.
  virtual void forward_done() {}
  // Whether scan_rows exists: then each thread computes and scans its own slice of the batch
  // for the whole sequence, with no barrier between blocks and no buffer of currents.
  virtual bool sliced() const { return false; }
  // Computes and scans rows (t, b) for t in [t0, t1), b in [b0, b1), single-threaded; v and i
  // are the whole state, z, v_dec and trace (each may be null) the whole outputs.
  virtual void scan_rows(const CurrentScanConfig&, int64_t, int64_t, int64_t, int64_t, float*,
                         float*, float*, float*, float*) const {}
};

struct Geometry {
  int64_t steps, width;  // T, and output elements per step
  int64_t chunk;         // steps per block
  int64_t batch;         // rows per step (the slices of a sliced synapse)
};

bool needs_grad(const Tensors& ts) {
  if (!GradMode::enabled()) return false;
  for (const Tensor& t : ts)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

void add_bias_rows(const Tensor& bias, int64_t rows, int64_t out, float* cur) {
  MatrixMap(cur, rows, out).rowwise() = ConstArrayMap(bias.data(), out).matrix().transpose();
}

bool sliced(const Synapse& syn, const Geometry& geo) {
  return syn.sliced() && geo.batch > 1;
}

// Forward over all blocks, then records one node whose backward is the reverse block scan.
CurrentScanResult run_fused(const char* name, std::shared_ptr<Synapse> syn, Tensors inputs,
                            const Shape& out_shape, const LIFState& s, const CurrentScanConfig& c,
                            bool record_trace, Geometry geo) {
  Shape step_shape(out_shape.begin() + 1, out_shape.end());
  if (s.v.shape() != step_shape || s.i.shape() != step_shape)
    throw std::invalid_argument(std::string(name) + ": state " + to_string(s.v.shape()) +
                                " does not match the output steps " + to_string(step_shape));
  record_trace = record_trace || !c.spiking;
  inputs.push_back(s.v);
  inputs.push_back(s.i);
  const bool grad = needs_grad(inputs);
  Tensor z = c.spiking ? Tensor::uninitialized(out_shape) : Tensor();
  Tensor v_dec = c.spiking && grad ? Tensor::uninitialized(out_shape) : Tensor();
  Tensor trace = record_trace ? Tensor::uninitialized(out_shape) : Tensor();
  Tensor v = s.v.clone(), i = s.i.clone();
  auto at = [&](Tensor& t, int64_t t0) {
    return t.defined() ? t.data() + t0 * geo.width : nullptr;
  };
  Tensor cur;
  if (sliced(*syn, geo)) {
    const int parts = int(std::min<int64_t>(thread_count(), geo.batch));
#pragma omp parallel for schedule(static) num_threads(parts)
    for (int p = 0; p < parts; ++p) {
      int64_t b0 = geo.batch * p / parts, b1 = geo.batch * (p + 1) / parts;
      for (int64_t t0 = 0; t0 < geo.steps; t0 += geo.chunk)
        syn->scan_rows(c, t0, std::min(geo.steps, t0 + geo.chunk), b0, b1, v.data(), i.data(),
                       at(z, 0), at(v_dec, 0), at(trace, 0));
    }
  } else {
    cur = Tensor::uninitialized({geo.chunk * geo.width});
    for (int64_t t0 = 0; t0 < geo.steps; t0 += geo.chunk) {
      int64_t t1 = std::min(geo.steps, t0 + geo.chunk);
      syn->currents(t0, t1, cur.data());
      scan_forward(c, {t1 - t0, geo.width}, cur.data(), v.data(), i.data(), at(z, t0),
                   at(v_dec, t0), at(trace, t0));
    }
  }
  cur = Tensor();
  syn->forward_done();
  Tensors outs{v, i};
  if (c.spiking) outs.push_back(z);
  if (record_trace) outs.push_back(trace);
  if (grad)
    outs = record_multi(name, outs, inputs, [c, geo, v_dec, syn](const Tensors& g) {
      Tensor gv = g[0].clone(), gi = g[1].clone();
      Tensor gz = c.spiking ? g[2] : Tensor(),
             gtr = g.size() > (c.spiking ? 3u : 2u) ? g.back() : Tensor();
      Tensor gcur = Tensor::uninitialized({geo.chunk * geo.width});
      int64_t last = (geo.steps - 1) / geo.chunk * geo.chunk;
      for (int64_t t0 = last; t0 >= 0; t0 -= geo.chunk) {
        int64_t t1 = std::min(geo.steps, t0 + geo.chunk), o = t0 * geo.width;
        scan_backward(
            c, {t1 - t0, geo.width}, c.spiking ? v_dec.data() + o : nullptr,
            {gz.defined() ? gz.data() + o : nullptr, gtr.defined() ? gtr.data() + o : nullptr,
             gcur.data(), gv.data(), gi.data()});
        syn->backward(t0, t1, gcur.data());
      }
      Tensors grads = syn->finish();
      grads.push_back(gv);
      grads.push_back(gi);
      return grads;
    });
  CurrentScanResult r{Tensor(), outs[0], outs[1], Tensor()};
  if (c.spiking) r.z = outs[2];
  if (record_trace) r.trace = outs.back();
  return r;
}

// t (cols x rows) = m (rows x cols, rows ld floats apart)^T, in 32 x 32 tiles. Eigen's
// transposed assignment read m 4 KB apart for fc1's 1024 x 1024 weight gradient: 3% of a
// ConvNet4 training step (perf, v4).
void transpose_tiled(const float* m, int64_t rows, int64_t cols, int64_t ld, float* t) {
  constexpr int64_t kTile = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) t[c * rows + r] = m[r * ld + c];
    }
}

int64_t chunk_steps(int64_t steps, int64_t rows_per_step, int64_t chunk_rows) {
  return std::clamp<int64_t>(chunk_rows / std::max<int64_t>(rows_per_step, 1), 1,
                             std::max<int64_t>(steps, 1));
}

class LinearSynapse : public Synapse {
 public:
  LinearSynapse(const Tensor& x, const Tensor& w, const Tensor& b, int64_t rows_per_step,
                double max_density)
      : w_(w.detach()),
        b_(b.defined() ? b.detach() : Tensor()),
        rps_(rows_per_step),
        in_(w.size(1)),
        out_(w.size(0)) {
    need_x_ = x.requires_grad();
    need_w_ = w.requires_grad();
    need_b_ = b.defined() && b.requires_grad();
    auto s = std::make_shared<SpikeRows>();
    if (max_density > 0 && spike_rows(x, x.numel() / in_, in_, max_density, *s)) {
      spikes_ = s;
      packed_ = pack_spike_weights(w.data(), out_, in_);
      return;  // the values are not read: a deferred input (Tensor::from_spike_index) stays so
    }
    x_ = x.data();
    if (need_w_) x_saved_ = x.detach();
  }
  bool sparse() const { return spikes_ != nullptr; }

  void currents(int64_t t0, int64_t t1, float* cur) const override {
    int64_t r0 = t0 * rps_, r1 = t1 * rps_;
    if (b_.defined()) add_bias_rows(b_, r1 - r0, out_, cur);
    float beta = b_.defined() ? 1.0f : 0.0f;
    if (spikes_)
      spike_matmul(*spikes_, r0, r1, in_, packed_.data(), out_, beta, cur);
    else
      gemm(false, true, r1 - r0, out_, in_, 1.0f, x_ + r0 * in_, w_.data(), beta, cur);
  }
  bool sliced() const override { return spikes_ != nullptr; }
  void scan_rows(const CurrentScanConfig& c, int64_t t0, int64_t t1, int64_t b0, int64_t b1,
                 float* v, float* i, float* z, float* v_dec, float* trace) const override {
    const int64_t first = t0 * rps_ + b0;
    auto at = [&](float* p) { return p ? p + first * out_ : nullptr; };
    spike_product_scan(c, *spikes_, {first, b1 - b0, t1 - t0, rps_}, in_, packed_.data(),
                       b_.defined() ? b_.data() : nullptr, out_, v + b0 * out_, i + b0 * out_,
                       at(z), at(v_dec), at(trace));
  }
  void forward_done() override {
    x_ = nullptr;
    packed_ = {};
  }

  void backward(int64_t t0, int64_t t1, const float* gcur) override {
    int64_t r0 = t0 * rps_, r1 = t1 * rps_, rows = r1 - r0;
    if (need_w_ && !gw_.defined())
      gw_ = spikes_ ? Tensor::zeros({in_, gwt_ld()}) : Tensor::zeros({out_, in_});
    if (need_w_ && scatters())
      scatter_rows(r0, r1, gcur);
    else if (need_w_ && spikes_)
      spike_matmul_t(*spikes_, r0, r1, in_, gcur, out_, 1.0f, gw_.data());
    else if (need_w_)
      gemm(true, false, out_, in_, rows, 1.0f, gcur, x_saved_.data() + r0 * in_, 1.0f, gw_.data());
    if (need_x_) {
      if (!gx_.defined()) gx_ = Tensor::uninitialized({steps_rows_hint(), in_});
      gemm(false, false, rows, in_, out_, 1.0f, gcur, w_.data(), 0.0f, gx_.data() + r0 * in_);
    }
    if (need_b_) {
      if (!gb_.defined()) gb_ = Tensor::zeros({out_});
      gb_.matrix(1, out_) += ConstMatrixMap(gcur, rows, out_).colwise().sum();
    }
  }

  Tensors finish() override {
    Tensor gw = gw_;
    if (gw.defined() && spikes_) {
      gw = Tensor::uninitialized({out_, in_});
      transpose_tiled(gw_.data(), in_, out_, gwt_ld(), gw.data());
    }
    Tensor gx = gx_.defined() ? reshape_to(gx_, x_shape_) : Tensor();
    return {gx, gw, gb_};
  }

  void set_x_shape(const Shape& s) { x_shape_ = s; }

 private:
  // Narrow outputs (a read-out's 10 classes): the weight gradient gW^T (in x ld, padded to a
  // vector) is small enough to stay in L1, so each input row's spikes add its gradient row
  // there directly (scatter_spike_row) instead of sorting a chunk's spikes by column
  // (spike_matmul_t). 8192 x 100 spikes, n = 10, AMD EPYC, one thread, best of 30: at density
  // 0.033 (the first batches) 0.086 -> 0.083 ms at v4, at 0.133 (the epoch's mean) 0.32 -> 0.17
  // ms at v4, 0.21 -> 0.13 ms at v3. Wider outputs measured slower this way (n = 100 over 784
  // inputs: 0.81 -> 0.97 ms at v4; n = 1024: 2x).
  static constexpr int64_t kScatterOutputs = 16;
  bool scatters() const { return spikes_ && out_ <= kScatterOutputs; }
  // gW^T's row length on the spike path: padded to a vector for the scatter.
  int64_t gwt_ld() const { return scatters() ? (out_ + 15) / 16 * 16 : out_; }
  void scatter_rows(int64_t r0, int64_t r1, const float* gcur) {
    const SpikeRows& s = *spikes_;
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t a = s.row_start[size_t(r)], count = s.row_start[size_t(r + 1)] - a;
      if (count > 0)
        scatter_spike_row(gw_.data(), gwt_ld(), gcur + (r - r0) * out_, out_, s.cols.data() + a,
                          count);
    }
  }

  int64_t steps_rows_hint() const { return numel_of(x_shape_) / in_; }
  static Tensor reshape_to(Tensor t, const Shape& s) {
    t.impl()->shape = s;
    return t;
  }
  const float* x_ = nullptr;  // the dense input's values
  Tensor w_, b_, x_saved_, gw_, gx_, gb_;
  std::vector<float> packed_;
  std::shared_ptr<SpikeRows> spikes_;
  int64_t rps_, in_, out_;
  bool need_x_, need_w_, need_b_;
  Shape x_shape_;
};

// On the GPU: one cuBLAS GEMM over all T B rows, or without a gradient to record and on sparse
// spikes the sum of W^T's rows they pick (cuda_spike_linear.hpp); then the fused scan.
CurrentScanResult linear_sequence_cuda(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                       const LIFState& state, const CurrentScanConfig& c,
                                       bool record_trace, FFLayerOptions opt) {
#ifdef SOMA_CUDA
  const bool recording = GradMode::enabled() && (x.requires_grad() || weight.requires_grad() ||
                                                 (bias.defined() && bias.requires_grad()));
  const bool fits = weight.dim() == 2 && x.dim() >= 2 && x.size(-1) == weight.size(1) &&
                    (!bias.defined() || bias.numel() == weight.size(0));
  if (!recording && fits) {  // else linear() below names what does not fit
    const Tensor cur = cuda_ops::spike_linear(x, weight, bias, opt.max_spike_density);
    if (cur.defined()) return current_scan(cur, state.v, state.i, c, record_trace);
  }
#else
  (void)opt;
#endif
  return current_scan(linear(x, weight, bias), state.v, state.i, c, record_trace);
}

}  // namespace

CurrentScanResult linear_neuron_sequence(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                         const LIFState& state, const CurrentScanConfig& c,
                                         bool record_trace, FFLayerOptions opt) {
  if (require_device("linear_neuron_sequence", x, weight, bias, state.v, state.i) == Device::cuda)
    return linear_sequence_cuda(x, weight, bias, state, c, record_trace, opt);
  if (weight.dim() != 2 || x.dim() < 2 || x.size(-1) != weight.size(1))
    throw std::invalid_argument("linear_neuron_sequence: input " + to_string(x.shape()) +
                                " does not fit weight " + to_string(weight.shape()));
  if (bias.defined() && bias.numel() != weight.size(0))
    throw std::invalid_argument("linear_neuron_sequence: bias " + to_string(bias.shape()) +
                                " for " + std::to_string(weight.size(0)) + " outputs");
  const int64_t steps = x.size(0), in = weight.size(1), out = weight.size(0);
  const int64_t rps = steps == 0 ? 0 : x.numel() / (steps * in);
  auto syn = std::make_shared<LinearSynapse>(x, weight, bias, rps, opt.max_spike_density);
  syn->set_x_shape(x.shape());
  // Dense blocks of 8192 rows keep the GEMM at its full-size speed: measured on the training
  // shape (n = 1024, 8000 rows, 2 threads), fwd + bwd took 0.37 s in one block, 0.40 s in
  // blocks of 4096 and 0.65-0.72 s in blocks of 1024 (Eigen's threads synchronise per GEMM).
  // Sparse blocks are sized so the block of currents stays in L2 for the scan. The fused
  // sparse kernel (a batch: sliced, no currents buffer) blocks its rows itself, so its blocks
  // only size the backward's buffer, as the dense path's.
  const bool fused = syn->sparse() && rps > 1;
  int64_t rows = opt.chunk_rows > 0 ? opt.chunk_rows
                 : syn->sparse() && !fused
                     ? std::max<int64_t>(1, (int64_t(1) << 18) / std::max<int64_t>(out, 1))
                     : 8192;
  Shape out_shape = x.shape();
  out_shape.back() = out;
  return run_fused("linear_neuron_sequence", syn, {x, weight, bias}, out_shape, state, c,
                   record_trace, {steps, rps * out, chunk_steps(steps, rps, rows), rps});
}

namespace {

class ConvSynapse : public Synapse {
 public:
  ConvSynapse(const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeom& g, int64_t batch)
      : x_(x.detach()),
        w_(w.detach()),
        b_(b.defined() ? b.detach() : Tensor()),
        g_(g),
        batch_(batch),
        x_shape_(x.shape()) {
    need_x_ = x.requires_grad();
    need_w_ = w.requires_grad();
    need_b_ = b.defined() && b.requires_grad();
    ConvGeom all = g;
    all.n = x.size(0) * batch;
    spiking_ = conv_spike_images(all, x_.data(), spikes_);  // once per call, for all blocks
  }
  ConvGeom block(int64_t t0, int64_t t1) const {
    ConvGeom g = g_;
    g.n = (t1 - t0) * batch_;
    return g;
  }
  void currents(int64_t t0, int64_t t1, float* cur) const override {
    const float* b = b_.defined() ? b_.data() : nullptr;
    if (spiking_)
      conv_forward_spikes(block(t0, t1), spikes_, t0 * batch_, w_.data(), b, cur);
    else
      conv_forward(block(t0, t1), x_.data() + t0 * batch_ * g_.in_size(), w_.data(), b, cur);
  }
  void forward_done() override {
    if (!need_w_ || spiking_) x_ = Tensor();
    if (!need_w_) spikes_ = SpikeRows();
  }
  void backward(int64_t t0, int64_t t1, const float* gcur) override {
    ConvGeom g = block(t0, t1);
    if (need_w_ && !gw_.defined()) gw_ = Tensor::zeros(w_.shape());
    if (need_x_ && !gx_.defined()) gx_ = Tensor::uninitialized(x_shape_);  // blocks fill it
    if (need_b_ && !gb_.defined()) gb_ = Tensor::zeros({g_.cout});
    int64_t xo = t0 * batch_ * g_.in_size();
    const bool dense_w = need_w_ && !spiking_;
    if (need_w_ && spiking_) conv_weight_grad_spikes(g, spikes_, t0 * batch_, gcur, gw_.data());
    float* gx = need_x_ ? gx_.data() + xo : nullptr;
    // The input gradient alone (spike path): from the non-zeros of gcur when it is sparse,
    // written, not added (no zero-fill of 9.4 MB per ConvNet4 step), a batch row's images at
    // consecutive steps in groups (their non-zeros nest); the GEMM adds to zeros.
    if (gx && !dense_w &&
        conv_input_grad_sparse(g, w_.data(), gcur, gx, kSparseGradDensity, batch_))
      gx = nullptr;
    if (gx) std::fill(gx, gx + g.n * g.in_size(), 0.0f);
    if (gx || dense_w)
      conv_backward(g, dense_w ? x_.data() + xo : nullptr, w_.data(), gcur, gx,
                    dense_w ? gw_.data() : nullptr);
    if (need_b_) conv_bias_grad(g, gcur, gb_.data());
  }
  Tensors finish() override { return {gx_, gw_, gb_}; }

 private:
  Tensor x_, w_, b_, gx_, gw_, gb_;
  ConvGeom g_;
  int64_t batch_;
  Shape x_shape_;
  bool need_x_, need_w_, need_b_;
  bool spiking_;      // x is 0/1 at low density: conv_spikes.hpp's path
  SpikeRows spikes_;  // x's active pixels, one row per image
};

}  // namespace

CurrentScanResult conv_neuron_sequence(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                       const LIFState& state, const CurrentScanConfig& c,
                                       Conv2dOptions conv, bool record_trace, FFLayerOptions opt) {
  if (x.dim() != 5)
    throw std::invalid_argument("conv_neuron_sequence: input must be (T, B, C, H, W), got " +
                                to_string(x.shape()));
  const int64_t steps = x.size(0), batch = x.size(1);
#ifdef SOMA_CUDA
  // On the GPU: one convolution of all T B images (im2col + cuBLAS in chunks), then the fused
  // scan (one kernel); the currents of all steps exist at once, 4 bytes per neuron-step.
  if (require_device("conv_neuron_sequence", x, weight, bias, state.v, state.i) == Device::cuda) {
    Tensor cur =
        conv2d(reshape(x, {steps * batch, x.size(2), x.size(3), x.size(4)}), weight, bias, conv);
    cur = reshape(cur, {steps, batch, cur.size(1), cur.size(2), cur.size(3)});
    return current_scan(cur, state.v, state.i, c, record_trace);
  }
#endif
  require_cpu("conv_neuron_sequence", x, weight, bias, state.v, state.i);
  Tensor images = x.detach();
  images.impl()->shape = {steps * batch, x.size(2), x.size(3), x.size(4)};
  ConvGeom g = conv_geom(images, weight, bias, conv);
  auto syn = std::make_shared<ConvSynapse>(x, weight, bias, g, batch);
  // conv GEMMs run image by image, so the block size only bounds the buffer of currents:
  // about 2^20 floats, or chunk_rows images.
  int64_t per_step = batch * g.out_size();
  int64_t chunk = opt.chunk_rows > 0
                      ? chunk_steps(steps, batch, opt.chunk_rows)
                      : chunk_steps(steps, 1, (int64_t(1) << 20) / std::max<int64_t>(per_step, 1));
  return run_fused("conv_neuron_sequence", syn, {x, weight, bias},
                   {steps, batch, g.cout, g.oh, g.ow}, state, c, record_trace,
                   {steps, per_step, chunk, batch});
}

}  // namespace soma
