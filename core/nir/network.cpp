#include "core/nir/network.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/nir/neurons.hpp"
#include "core/ops/conv.hpp"
#include "core/ops/ops.hpp"

namespace soma::nir {
namespace {

using Dims = std::vector<int64_t>;

// Bounds for sizes read from a file: far above any network Soma runs, far below int overflow.
constexpr int64_t kMaxSize = int64_t(1) << 30;
constexpr int64_t kMaxRank = 16;

[[noreturn]] void fail(const std::string& name, const Node& n, const std::string& what) {
  throw std::runtime_error("node '" + name + "' (" + n.type + "): " + what);
}

// Sizes, strides and dimensions are stored as numbers of any type: each must be a whole number
// in [lo, hi] before it becomes an int64 (NaN, 1e300 or 2.5 would be undefined or wrong there).
int64_t whole(const std::string& name, const Node& n, const std::string& f, double x, int64_t lo,
              int64_t hi) {
  if (!(x >= double(lo) && x <= double(hi)) || x != std::floor(x))
    fail(name, n,
         "field '" + f + "' holds " + std::to_string(x) + ", not a whole number in [" +
             std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return int64_t(x);
}

Dims ints(const std::string& name, const Node& n, const std::string& f, size_t want, int64_t lo,
          int64_t hi) {
  const Array& a = n.at(name, f);
  Dims v;
  for (double x : a.values) v.push_back(whole(name, n, f, x, lo, hi));
  if (v.size() == 1 && want == 2) v.push_back(v[0]);
  if (v.size() != want)
    fail(name, n,
         "field '" + f + "' has " + std::to_string(a.values.size()) + " values, not " +
             std::to_string(want));
  return v;
}

// Batch-first shape of a per-sample shape.
Shape batched(int64_t B, const Dims& d) {
  Shape s{B};
  s.insert(s.end(), d.begin(), d.end());
  return s;
}

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// NIR's Threshold: 1 where x > threshold, else 0.
Tensor heaviside_gt(const Tensor& x, const Tensor& threshold) {
  Tensor d = x - threshold;
  std::vector<float> z(size_t(d.numel()));
  for (int64_t k = 0; k < d.numel(); ++k) z[size_t(k)] = d.data()[k] > 0 ? 1.0f : 0.0f;
  return Tensor::from(d.shape(), std::move(z));
}

// One node: its step function (input: the sum of its in-edges, batch first) and its state.
struct Op {
  std::string name, type, note;
  std::function<Tensor(const Tensor&)> step;
  std::function<void()> reset = [] {};
};

Op make_weighted(const std::string& name, const Node& n) {
  const Array& w = n.at(name, "weight");
  if (w.shape.size() != 2)
    fail(name, n,
         "weight has shape " + to_string(Shape(w.shape.begin(), w.shape.end())) +
             "; Soma runs 2-D (out, in) weights only");
  Tensor W = w.tensor(), b;
  if (n.type == "Affine") {
    const Array& bias = n.at(name, "bias");
    if (bias.numel() != w.shape[0])
      fail(name, n,
           "bias has " + std::to_string(bias.numel()) + " values for " +
               std::to_string(w.shape[0]) + " outputs");
    b = reshape(bias.tensor(), {w.shape[0]});
  }
  const int64_t in = w.shape[1];
  return {name, n.type, "", [W, b, in, name, n](const Tensor& x) {
            if (x.size(x.dim() - 1) != in)
              fail(name, n,
                   "gets " + std::to_string(x.size(x.dim() - 1)) + " inputs, its weight takes " +
                       std::to_string(in));
            return linear(reshape(x, {x.size(0), in}), W, b);
          }};
}

Op make_conv(const std::string& name, const Node& n) {
  const Array& w = n.at(name, "weight");
  if (w.shape.size() != 4) fail(name, n, "weight is not (C_out, C_in, kH, kW)");
  if (w.shape[2] != w.shape[3]) fail(name, n, "Soma runs square kernels only");
  const Dims stride = ints(name, n, "stride", 2, 1, kMaxSize),
             pad = ints(name, n, "padding", 2, 0, kMaxSize);
  if (stride[0] != stride[1] || pad[0] != pad[1])
    fail(name, n, "Soma runs equal strides and paddings in both directions only");
  if (n.has("dilation") && ints(name, n, "dilation", 2, 1, kMaxSize) != Dims{1, 1})
    fail(name, n, "dilation other than 1 is not supported");
  if (n.has("groups") && n.at(name, "groups").uniform(name, "groups") != 1)
    fail(name, n, "groups other than 1 are not supported");
  Tensor W = w.tensor(), b;
  if (n.has("bias")) {
    if (n.at(name, "bias").numel() != w.shape[0]) fail(name, n, "bias does not match C_out");
    b = reshape(n.at(name, "bias").tensor(), {w.shape[0]});
  }
  Conv2dOptions o{int(stride[0]), int(pad[0])};
  return {name, n.type, "", [W, b, o, name, n](const Tensor& x) {
            if (x.dim() != 4 || x.size(1) != W.size(1))
              fail(name, n,
                   "gets input " + to_string(x.shape()) + ", not (B, " + std::to_string(W.size(1)) +
                       ", H, W)");
            return conv2d(x, W, b, o);
          }};
}

Op make_pool(const std::string& name, const Node& n) {
  const Dims k = ints(name, n, "kernel_size", 2, 1, kMaxSize),
             s = ints(name, n, "stride", 2, 1, kMaxSize);
  const Dims p = n.has("padding") ? ints(name, n, "padding", 2, 0, kMaxSize) : Dims{0, 0};
  if (k[0] != k[1] || s[0] != s[1] || p != Dims{0, 0})
    fail(name, n, "Soma pools square windows with equal strides and no padding only");
  const bool sum = n.type == "SumPool2d";
  const float area = float(k[0] * k[1]);
  return {name, n.type, "", [k, s, sum, area](const Tensor& x) {
            Tensor y = avg_pool2d(x, int(k[0]), int(s[0]));
            return sum ? y * area : y;
          }};
}

Op make_flatten(const std::string& name, const Node& n) {
  auto dim = [&](const char* f, int64_t absent) {
    return n.has(f) ? ints(name, n, f, 1, -kMaxRank, kMaxRank)[0] : absent;
  };
  const int64_t start = dim("start_dim", 1), end = dim("end_dim", -1);
  return {name, n.type, "", [start, end, name, n](const Tensor& x) {
            // start/end index the per-sample shape (NIR's input_type); a start of 1 or an end
            // of -1 covering everything flattens the whole sample, as exporters write it.
            const int64_t rank = x.dim() - 1;
            int64_t a = start < 0 ? start + rank : start, b = end < 0 ? end + rank : end;
            if (a == 1 && b == rank) a = 0, b = rank - 1;  // the batched (torch) convention
            if (a < 0 || b >= rank || a > b) fail(name, n, "start_dim/end_dim outside the input");
            Shape s{x.size(0)};
            int64_t m = 1;
            for (int64_t d = 0; d < rank; ++d) {
              if (d < a || d > b) s.push_back(x.size(d + 1));
              if (d >= a && d <= b) m *= x.size(d + 1);
              if (d == b) s.push_back(m);
            }
            return reshape(x, s);
          }};
}

// The per-step factors of a current-based node whose constants differ between neurons (a
// learnable layer's export), each per neuron or one for all, made once.
struct VaryingFactors {
  Tensor am, keep_i, v_th;
  explicit VaryingFactors(const ImportedNeuron& n)
      : am(each(n.am, n.scan.am)),
        keep_i(each(n.keep_i, n.scan.keep_i)),
        v_th(each(n.v_th, n.scan.v_th)) {}
  static Tensor each(const Tensor& per, float all) {
    return per.defined() ? per : Tensor::full({1}, all);
  }
};

// One step of such a node: the scan's recurrence (lif.hpp) with per-neuron factors, as composed
// ops.
Tensor varying_step(const CurrentScanConfig& c, const VaryingFactors& f, const Tensor& x, Tensor& v,
                    Tensor& i) {
  Tensor j = i + x;
  Tensor v_dec = v + (c.v_leak - v + j) * f.am;
  i = j * f.keep_i;
  if (!c.spiking) return v = v_dec;
  Tensor z = spike_fn(v_dec - f.v_th, {SurrogateMethod::heaviside, 0});
  v = v_dec * (1.0f - z) + z * c.v_reset;
  return z;
}

Op make_neuron(const std::string& name, const Node& n, float dt) {
  auto nn = std::make_shared<ImportedNeuron>(import_neuron(name, n, dt));
  auto state = std::make_shared<std::pair<Tensor, Tensor>>();
  Op op{name, n.type, "", nullptr, [state] { *state = {}; }};
  std::ostringstream note;
  if (!nn->varying.empty()) note << "per-neuron constants (" << nn->varying << ", ...); neuron 0: ";
  if (nn->kind == "scan")
    note << "dt/tau_mem " << nn->scan.am << ", 1 - dt/tau_syn " << nn->scan.keep_i << ", v_th "
         << nn->scan.v_th << (nn->unit_gain ? "" : ", input gain != 1");
  op.note = note.str();
  std::shared_ptr<const VaryingFactors> varying =
      nn->varying.empty() ? nullptr : std::make_shared<const VaryingFactors>(*nn);
  op.step = [nn, state, name, n, varying](const Tensor& x0) {
    Shape want = batched(x0.size(0), nn->shape);
    if (x0.numel() != shape_numel(want))
      fail(name, n,
           "gets input " + to_string(x0.shape()) + " for " +
               std::to_string(shape_numel(want) / x0.size(0)) + " neurons per sample");
    Tensor x = reshape(x0, want);
    if (!nn->unit_gain) x = x * nn->gain;
    auto& [v, i] = *state;
    if (nn->kind == "integrator") {
      v = v.defined() ? v + x : x;
      return v;
    }
    if (nn->kind == "if") {
      if (!v.defined()) v = iaf_initial_state(want, nn->iaf);
      IAFStep s = iaf_step(x, v, nn->iaf);
      v = s.v;
      return s.z;
    }
    if (!v.defined()) v = Tensor::full(want, nn->scan.v_leak), i = Tensor::zeros(want);
    if (varying) return varying_step(nn->scan, *varying, x, v, i);
    Shape one = want;
    one.insert(one.begin(), 1);
    CurrentScanResult r = current_scan(reshape(x, one), v, i, nn->scan, !nn->scan.spiking);
    v = r.v, i = r.i;
    return select(nn->scan.spiking ? r.z : r.trace, 0);
  };
  return op;
}

Op make_op(const std::string& name, const Node& n, float dt) {
  const std::string& t = n.type;
  if (t == "Input" || t == "Output") return {name, t, "", [](const Tensor& x) { return x; }};
  if (t == "Affine" || t == "Linear") return make_weighted(name, n);
  if (t == "Conv2d") return make_conv(name, n);
  if (t == "SumPool2d" || t == "AvgPool2d") return make_pool(name, n);
  if (t == "Flatten") return make_flatten(name, n);
  if (t == "Scale") {
    Tensor s = n.at(name, "scale").tensor();
    return {name, t, "", [s](const Tensor& x) { return x * s; }};
  }
  if (t == "Threshold") {
    Tensor th = n.at(name, "threshold").tensor();
    return {name, t, "", [th](const Tensor& x) { return heaviside_gt(x, th); }};
  }
  if (is_neuron(t)) return make_neuron(name, n, dt);
  throw std::runtime_error("node '" + name + "' has type " + t +
                           ", which Soma cannot run (supported: Input, Output, Affine, Linear, "
                           "Scale, Conv2d, Flatten, SumPool2d, AvgPool2d, Threshold, CubaLIF, "
                           "CubaLI, LIF, LI, IF, I)");
}

}  // namespace

struct Network::Impl {
  std::vector<Op> ops;                                   // run order
  std::vector<std::vector<std::pair<size_t, bool>>> in;  // per op: (source op, delayed)
  size_t input = 0, output = 0;
  Dims input_shape;
};

Network::Network(const Graph& g, float dt) : impl_(std::make_unique<Impl>()) {
  std::vector<std::string> inputs, outputs;
  for (const auto& [name, n] : g.nodes) {
    if (n.type == "Input") inputs.push_back(name);
    if (n.type == "Output") outputs.push_back(name);
  }
  if (inputs.size() != 1 || outputs.size() != 1)
    throw std::runtime_error("the graph has " + std::to_string(inputs.size()) + " Input and " +
                             std::to_string(outputs.size()) +
                             " Output nodes; Soma runs graphs with one of each");
  const Node& in_node = g.nodes.at(inputs[0]);
  if (in_node.has("shape")) {
    const Array& s = in_node.at(inputs[0], "shape");
    for (double d : s.values)
      impl_->input_shape.push_back(whole(inputs[0], in_node, "shape", d, 0, kMaxSize));
  }
  // Depth-first order from the input; edges to a node still on the stack close a cycle.
  std::map<std::string, std::vector<std::string>> succ;
  for (const auto& [a, b] : g.edges) succ[a].push_back(b);
  std::map<std::string, size_t> index;
  std::set<Edge> back;
  std::set<std::string> on_stack;
  std::vector<std::string> order;
  std::function<void(const std::string&)> visit = [&](const std::string& u) {
    index[u] = 0;
    on_stack.insert(u);
    for (const std::string& v : succ[u]) {
      if (on_stack.count(v))
        back.insert({u, v});
      else if (!index.count(v))
        visit(v);
    }
    on_stack.erase(u);
    order.push_back(u);
  };
  visit(inputs[0]);
  if (!index.count(outputs[0]))
    throw std::runtime_error("no path leads from the Input node '" + inputs[0] +
                             "' to the Output node '" + outputs[0] + "'");
  std::reverse(order.begin(), order.end());
  for (size_t k = 0; k < order.size(); ++k) index[order[k]] = k;
  impl_->in.resize(order.size());
  for (const auto& [a, b] : g.edges)
    if (index.count(a) && index.count(b))
      impl_->in[index[b]].push_back({index[a], back.count({a, b}) > 0});
  for (const std::string& name : order) impl_->ops.push_back(make_op(name, g.nodes.at(name), dt));
  impl_->input = index[inputs[0]];
  impl_->output = index[outputs[0]];
}

Network::~Network() = default;
Network::Network(Network&&) noexcept = default;

const std::vector<int64_t>& Network::input_shape() const {
  return impl_->input_shape;
}

Tensor Network::run(const Tensor& x) {
  NoGrad no_grad;
  Impl& m = *impl_;
  if (x.dim() < 2) throw std::invalid_argument("NIR network input is not (T, B, ...)");
  for (Op& op : m.ops) op.reset();
  std::vector<Tensor> now(m.ops.size()), before(m.ops.size());
  std::vector<Tensor> out;
  for (int64_t t = 0; t < x.size(0); ++t) {
    for (size_t k = 0; k < m.ops.size(); ++k) {
      Tensor sum;
      if (k == m.input) sum = select(x, t);
      for (auto [src, delayed] : m.in[k]) {
        const Tensor& v = delayed ? before[src] : now[src];
        if (!v.defined()) continue;  // a recurrent edge at the first step carries zeros
        sum = sum.defined() ? (sum.shape() == v.shape() ? sum + v : sum + reshape(v, sum.shape()))
                            : v;
      }
      if (!sum.defined())
        throw std::runtime_error("node '" + m.ops[k].name + "' (" + m.ops[k].type +
                                 ") receives nothing before it runs");
      now[k] = m.ops[k].step(sum);
    }
    out.push_back(now[m.output]);
    std::swap(now, before);
  }
  return stack(out);
}

std::string Network::summary() const {
  std::ostringstream s;
  for (const Op& op : impl_->ops)
    s << "  " << op.name << "  " << op.type << (op.note.empty() ? "" : "  (" + op.note + ")")
      << "\n";
  return s.str();
}

}  // namespace soma::nir
