#include "tasks/dsqn/qnet.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/io/safetensors.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"

namespace soma::dsqn {
namespace {

sim::DenseLayer dense_of(const Tensor& w_in_out, const Tensor& b) {
  sim::DenseLayer l{w_in_out.size(0), w_in_out.size(1), {}, {}};
  l.w.assign(w_in_out.data(), w_in_out.data() + w_in_out.numel());
  if (b.defined()) l.bias.assign(b.data(), b.data() + b.numel());
  return l;
}

Tensor tensor_of(const std::vector<double>& v, Shape shape) {
  return Tensor::from(std::move(shape), std::vector<float>(v.begin(), v.end()));
}

}  // namespace

Tensor obs_tensor(const std::vector<CartPole::Observation>& obs) {
  std::vector<float> v;
  v.reserve(obs.size() * 4);
  for (const auto& o : obs)
    for (double x : o) v.push_back(float(x));
  return Tensor::from({int64_t(obs.size()), 4}, std::move(v));
}

AnnQNet::AnnQNet(Rng& rng, int64_t hidden) : hidden_(hidden) {
  const int64_t sizes[4] = {4, hidden, hidden, 2};
  for (int l = 0; l < 3; ++l)
    fc_[l] = register_module("fc" + std::to_string(l),
                             std::make_shared<nn::Linear>(sizes[l], sizes[l + 1], rng));
}

Tensor AnnQNet::q_values(const Tensor& obs) {
  return (*fc_[2])(relu((*fc_[1])(relu((*fc_[0])(obs)))));
}

sim::DenseNet AnnQNet::to_dense() const {
  sim::DenseNet net;
  for (const auto& fc : fc_)
    net.push_back(dense_of(transpose(fc->weight.detach(), 0, 1), fc->bias));
  return net;
}

std::shared_ptr<QNetwork> AnnQNet::fresh_copy() const {
  Rng rng(0);
  auto c = std::make_shared<AnnQNet>(rng, hidden_);
  c->load_state_dict(state_dict());
  return c;
}

SqnQNet::SqnQNet(Rng& rng, const SqnOptions& opt, bool bias_input, int64_t hidden, bool biases)
    : opt_(opt), bias_input_(bias_input), biases_(biases), hidden_(hidden) {
  const int64_t sizes[4] = {bias_input ? 5 : 4, hidden, hidden, 2};
  for (int l = 0; l < 3; ++l) {
    // N(0, 1 / sqrt(fan_in)), as the seed's SQN.
    Tensor w =
        Tensor::randn({sizes[l], sizes[l + 1]}, rng) * float(1 / std::sqrt(double(sizes[l])));
    w_.push_back(register_parameter("w" + std::to_string(l), w));
    b_.push_back(biases ? register_parameter("b" + std::to_string(l), Tensor::zeros({sizes[l + 1]}))
                        : Tensor());
  }
}

Tensor SqnQNet::q_values(const Tensor& obs) {
  Tensor x = obs;
  if (bias_input_) x = cat({obs, Tensor::ones({obs.size(0), 1})}, 1);
  return sqn_forward(x, w_, b_, opt_, record_spikes ? &hidden_spikes : nullptr);
}

sim::DenseNet SqnQNet::to_dense() const {
  sim::DenseNet net;
  for (size_t l = 0; l < w_.size(); ++l)
    net.push_back(dense_of(w_[l].detach(), b_[l].defined() ? b_[l].detach() : Tensor()));
  return net;
}

std::shared_ptr<QNetwork> SqnQNet::fresh_copy() const {
  Rng rng(0);
  auto c = std::make_shared<SqnQNet>(rng, opt_, bias_input_, hidden_, biases_);
  c->load_state_dict(state_dict());
  return c;
}

std::string NetFile::kind() const {
  auto it = meta.find("kind");
  return it == meta.end() ? "" : it->second;
}

void save_net(const std::string& path, const NetFile& f) {
  std::map<std::string, Tensor> t;
  for (size_t l = 0; l < f.net.size(); ++l) {
    const sim::DenseLayer& d = f.net[l];
    t["w" + std::to_string(l)] = tensor_of(d.w, {d.in, d.out});
    if (!d.bias.empty()) t["b" + std::to_string(l)] = tensor_of(d.bias, {d.out});
  }
  save_safetensors(path, t, f.meta);
}

void save_net(const std::string& path, const QNetwork& q,
              std::map<std::string, std::string> extra) {
  NetFile f{q.to_dense(), std::move(extra)};
  f.meta["kind"] = q.kind();
  if (auto* s = dynamic_cast<const SqnQNet*>(&q)) {
    f.meta["steps"] = std::to_string(s->options().steps);
    f.meta["reset"] = s->options().reset == SqnReset::subtract ? "subtract" : "zero";
    f.meta["bias_input"] = s->bias_input() ? "1" : "0";
  }
  save_net(path, f);
}

NetFile load_net(const std::string& path) {
  SafetensorsData d = load_safetensors(path);
  NetFile f;
  f.meta = d.metadata;
  for (size_t l = 0;; ++l) {
    auto w = d.tensors.find("w" + std::to_string(l));
    if (w == d.tensors.end()) break;
    if (w->second.dim() != 2)
      throw std::runtime_error(path + ": w" + std::to_string(l) + " is not 2-D");
    auto b = d.tensors.find("b" + std::to_string(l));
    f.net.push_back(dense_of(w->second, b == d.tensors.end() ? Tensor() : b->second));
    if (l > 0 && f.net[l].in != f.net[l - 1].out)
      throw std::runtime_error(path + ": w" + std::to_string(l) + " does not fit the layer before");
  }
  if (f.net.empty())
    throw std::runtime_error(path + ": no weights w0, w1, ... (not a dsqn network)");
  const std::string k = f.kind();
  if (k != "ann" && k != "sqn" && k != "converted")
    throw std::runtime_error(path + ": metadata kind '" + k + "' (expected ann, sqn or converted)");
  return f;
}

std::shared_ptr<QNetwork> make_qnet(const NetFile& f) {
  Rng rng(0);
  nn::StateDict state;
  std::shared_ptr<QNetwork> q;
  if (f.kind() == "ann") {
    if (f.net.size() != 3) throw std::runtime_error("ann network files have 3 layers");
    q = std::make_shared<AnnQNet>(rng, f.net[0].out);
    for (size_t l = 0; l < 3; ++l) {
      const sim::DenseLayer& d = f.net[l];
      state["fc" + std::to_string(l) + ".weight"] =
          transpose(tensor_of(d.w, {d.in, d.out}), 0, 1).clone();
      state["fc" + std::to_string(l) + ".bias"] = tensor_of(d.bias, {d.out});
    }
  } else if (f.kind() == "sqn") {
    SqnOptions o;
    o.steps = std::stoll(f.meta.at("steps"));
    o.reset = f.meta.at("reset") == "zero" ? SqnReset::zero : SqnReset::subtract;
    const bool bias_input = f.meta.at("bias_input") == "1";
    const bool biases = !f.net[0].bias.empty();
    q = std::make_shared<SqnQNet>(rng, o, bias_input, f.net[0].out, biases);
    for (size_t l = 0; l < f.net.size(); ++l) {
      state["w" + std::to_string(l)] = tensor_of(f.net[l].w, {f.net[l].in, f.net[l].out});
      if (biases) state["b" + std::to_string(l)] = tensor_of(f.net[l].bias, {f.net[l].out});
    }
  } else {
    throw std::runtime_error("a '" + f.kind() + "' network cannot be trained (ann or sqn only)");
  }
  q->load_state_dict(state);
  return q;
}

}  // namespace soma::dsqn
