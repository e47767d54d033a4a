#include "tasks/cet/cet_models.hpp"

#include <cmath>

#include "core/nn/batch_norm.hpp"
#include "core/nn/dropout.hpp"
#include "core/nn/init.hpp"
#include "core/ops/ops.hpp"

namespace soma {
namespace {

using credit::Activation;

// torch.nn.init.xavier_uniform_ for a (fan_out, fan_in * receptive) tensor.
Tensor xavier(Shape shape, int64_t fan_in, int64_t fan_out, Rng& rng) {
  const float b = std::sqrt(6.0f / float(fan_in + fan_out));
  return nn::init::uniform_(Tensor::zeros(shape), -b, b, rng);
}

struct Dense {
  Tensor w, b;
};

Dense dense(nn::Module& m, const std::string& name, int64_t in, int64_t out, bool torch_init,
            Rng& rng) {
  Dense d;
  if (torch_init) {  // kaiming_uniform(a = sqrt 5) and U(+-1/sqrt(in)): both 1/sqrt(in)
    const float k = 1.0f / std::sqrt(float(in));
    d.w = nn::init::uniform_(Tensor::zeros({out, in}), -k, k, rng);
    d.b = nn::init::uniform_(Tensor::zeros({out}), -k, k, rng);
  } else {
    d.w = xavier({out, in}, in, out, rng);
    d.b = xavier({out}, 1, out, rng);  // the reference's (1 x out) bias, Xavier too
  }
  m.register_parameter(name + "_weight", d.w);
  m.register_parameter(name + "_bias", d.b);
  return d;
}

class CetMlp : public CetNet {
 public:
  CetMlp(int64_t in, int64_t hidden, int64_t classes, bool retro, Rng& rng) {
    exact_readout_ = retro;
    l_[0] = dense(*this, "w1", in, hidden, false, rng);
    l_[1] = dense(*this, "w2", hidden, hidden, false, rng);
    l_[2] = dense(*this, "w3", hidden, classes, retro, rng);
    layer_names = {"w1", "w2", "w3"};
    for (int k = 0; k < 3; ++k) rules.push_back(std::make_shared<credit::CreditRule>());
  }
  Tensor forward(const Tensor& x) override {
    Tensor h = reshape(x, {x.size(0), -1});
    h = credit::credit_linear(h, l_[0].w, l_[0].b, Activation::relu, rules[0]);
    h = credit::credit_linear(h, l_[1].w, l_[1].b, Activation::relu, rules[1]);
    return credit::credit_linear(h, l_[2].w, l_[2].b, Activation::identity, rules[2]);
  }

 private:
  Dense l_[3];
};

class CetCnn : public CetNet {
 public:
  CetCnn(int64_t c, int64_t h, int64_t w, int64_t hidden, int64_t classes, float p, bool retro,
         Rng& rng) {
    exact_readout_ = retro;
    const int64_t ch[4] = {c, 32, 64, 128};
    for (int k = 0; k < 3; ++k) {
      const std::string name = "c" + std::to_string(k + 1);
      conv_[k].w = xavier({ch[k + 1], ch[k], 3, 3}, ch[k] * 9, ch[k + 1] * 9, rng);
      conv_[k].b = Tensor::zeros({ch[k + 1]});
      register_parameter(name + "_weight", conv_[k].w);
      register_parameter(name + "_bias", conv_[k].b);
      bn_[k] = register_module(name + "_bn",
                               std::make_shared<nn::BatchNorm2d>(ch[k + 1], 1e-5f, 0.1f, false));
      drop_[k] = register_module(name + "_drop", std::make_shared<nn::Dropout>(p, rng));
      h /= 2;
      w /= 2;
      layer_names.push_back(name);
    }
    fc_[0] = dense(*this, "w1", 128 * h * w, hidden, false, rng);
    fc_[1] = dense(*this, "w2", hidden, classes, retro, rng);
    layer_names.push_back("w1");
    layer_names.push_back("w2");
    for (int k = 0; k < 5; ++k) rules.push_back(std::make_shared<credit::CreditRule>());
  }
  Tensor forward(const Tensor& x) override {
    Tensor h = x;
    for (int k = 0; k < 3; ++k) {
      h = credit::credit_conv2d(h, conv_[k].w, conv_[k].b, {1, 1}, Activation::relu, rules[k]);
      h = (*drop_[k])((*bn_[k])(avg_pool2d(h, 2)));
    }
    h = reshape(h, {h.size(0), -1});
    h = credit::credit_linear(h, fc_[0].w, fc_[0].b, Activation::relu, rules[3]);
    return credit::credit_linear(h, fc_[1].w, fc_[1].b, Activation::identity, rules[4]);
  }

 private:
  Dense conv_[3], fc_[2];
  std::shared_ptr<nn::BatchNorm2d> bn_[3];
  std::shared_ptr<nn::Dropout> drop_[3];
};

}  // namespace

std::shared_ptr<CetNet> make_cet_mlp(int64_t inputs, int64_t hidden, int64_t classes,
                                     bool retrograde, Rng& rng) {
  return std::make_shared<CetMlp>(inputs, hidden, classes, retrograde, rng);
}

std::shared_ptr<CetNet> make_cet_cnn(int64_t channels, int64_t height, int64_t width,
                                     int64_t hidden, int64_t classes, float p_drop, bool retrograde,
                                     Rng& rng) {
  return std::make_shared<CetCnn>(channels, height, width, hidden, classes, p_drop, retrograde,
                                  rng);
}

}  // namespace soma
