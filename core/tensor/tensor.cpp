#include "core/tensor/tensor.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "core/autograd/engine.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/random/rng.hpp"

namespace soma {

const char* device_name(Device d) {
  return d == Device::cpu ? "cpu" : "cuda";
}

namespace {

cuda::CopyKind copy_kind(Device dst, Device src, bool src_pinned) {
  if (src == Device::cpu)
    return src_pinned ? cuda::CopyKind::pinned_to_device : cuda::CopyKind::host_to_device;
  return dst == Device::cpu ? cuda::CopyKind::device_to_host : cuda::CopyKind::device_to_device;
}

// n floats from src (on src_device; pinned host memory when src_pinned) to dst (on dst_device).
void copy_floats(float* dst, Device dst_device, const float* src, Device src_device, int64_t n,
                 bool src_pinned = false) {
  if (dst_device == Device::cpu && src_device == Device::cpu)
    std::copy(src, src + n, dst);
  else
    cuda::copy(dst, src, n * int64_t(sizeof(float)), copy_kind(dst_device, src_device, src_pinned));
}

}  // namespace

void Tensor::throw_not_on_host() const {
  throw std::runtime_error(
      "a CPU kernel asked for the host data of a cuda tensor " + to_string(shape()) +
      ": the op has no CUDA implementation (Soma never falls back to the CPU in silence); copy "
      "its inputs with .cpu()");
}

namespace {

Tensor make_uninitialized(const Shape& shape, Device device, bool pinned) {
  if (shape.size() > size_t(kMaxDims))
    throw std::invalid_argument("Tensor: at most 5 dimensions, got " + to_string(shape));
  for (auto d : shape)
    if (d < 0) throw std::invalid_argument("Tensor: negative size in " + to_string(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(numel_of(shape), device, pinned);
  impl->shape = shape;
  impl->device = device;
  return Tensor(std::move(impl));
}

}  // namespace

Tensor Tensor::uninitialized(const Shape& shape, Device device) {
  return make_uninitialized(shape, device, false);
}

Tensor Tensor::uninitialized_pinned(const Shape& shape) {
  return make_uninitialized(shape, Device::cpu, true);
}

Tensor Tensor::from(const Shape& shape, std::vector<float> values) {
  if (int64_t(values.size()) != numel_of(shape))
    throw std::invalid_argument("Tensor::from: " + std::to_string(values.size()) +
                                " values for shape " + to_string(shape));
  Tensor t = uninitialized(shape);
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

Tensor Tensor::full(const Shape& shape, float value, Device device) {
  Tensor t = uninitialized(shape, device);
  t.fill_(value);
  return t;
}
Tensor Tensor::zeros(const Shape& shape, Device device) {
  return full(shape, 0.0f, device);
}
Tensor Tensor::ones(const Shape& shape) {
  return full(shape, 1.0f);
}
Tensor Tensor::scalar(float value) {
  return from({}, {value});
}

Tensor Tensor::arange(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = float(i);
  return from({n}, std::move(v));
}

Tensor Tensor::randn(const Shape& shape, Rng& rng) {
  Tensor t = uninitialized(shape);
  for (auto& x : t.array()) x = rng.normal();
  return t;
}

Tensor Tensor::rand(const Shape& shape, Rng& rng, float lo, float hi) {
  Tensor t = uninitialized(shape);
  for (auto& x : t.array()) x = rng.uniform(lo, hi);
  return t;
}

int64_t Tensor::size(int d) const {
  return impl_->shape[size_t(normalize_dim(d, dim()))];
}

float Tensor::item() const {
  if (numel() != 1)
    throw std::invalid_argument("item() needs a one-element tensor, got shape " +
                                to_string(shape()));
  float v;
  copy_floats(&v, Device::cpu, raw_data(), device(), 1);
  return v;
}

std::vector<float> Tensor::to_vector() const {
  std::vector<float> v(static_cast<size_t>(numel()));
  copy_floats(v.data(), Device::cpu, raw_data(), device(), numel());
  return v;
}

Tensor Tensor::to(Device target) const {
  if (device() == target) return *this;
  Tensor out = uninitialized(shape(), target);
  copy_floats(out.raw_data(), target, raw_data(), device(), numel(), is_pinned());
  const Device source = device();
  return record("to_device", out, {*this},
                [source](const Tensor& g) { return Tensors{g.to(source)}; });
}

bool Tensor::is_pinned() const {
  return impl_->storage->pinned();
}

Tensor Tensor::pin_memory() const {
  if (device() != Device::cpu)
    throw std::invalid_argument("pin_memory: the tensor is on " +
                                std::string(device_name(device())) +
                                ", pinned memory is host memory");
  if (is_pinned()) return *this;
  Tensor out = uninitialized_pinned(shape());
  std::copy(raw_data(), raw_data() + numel(), out.raw_data());
  return out;
}

int64_t Tensor::flat_index(std::initializer_list<int64_t> index) const {
  if (int(index.size()) != dim())
    throw std::invalid_argument("at(): " + std::to_string(index.size()) + " indices for shape " +
                                to_string(shape()));
  int64_t flat = 0, d = 0;
  for (int64_t i : index) {
    int64_t n = impl_->shape[size_t(d++)];
    if (i < 0 || i >= n)
      throw std::out_of_range("at(): index out of range for " + to_string(shape()));
    flat = flat * n + i;
  }
  return flat;
}

float Tensor::at(std::initializer_list<int64_t> index) const {
  return data()[flat_index(index)];
}
float& Tensor::at(std::initializer_list<int64_t> index) {
  return data()[flat_index(index)];
}

MatrixMap Tensor::matrix(int64_t rows, int64_t cols) {
  if (rows * cols != numel())
    throw std::invalid_argument("matrix(): wrong size for " + to_string(shape()));
  return {data(), Eigen::Index(rows), Eigen::Index(cols)};
}
ConstMatrixMap Tensor::matrix(int64_t rows, int64_t cols) const {
  if (rows * cols != numel())
    throw std::invalid_argument("matrix(): wrong size for " + to_string(shape()));
  return {data(), Eigen::Index(rows), Eigen::Index(cols)};
}

Tensor& Tensor::requires_grad_(bool on) {
  if (on && !is_leaf()) throw std::logic_error("requires_grad_() only applies to leaf tensors");
  impl_->requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const {
  return impl_->grad ? Tensor(impl_->grad) : Tensor();
}
void Tensor::set_grad(const Tensor& g) {
  impl_->grad = g.defined() ? g.impl() : nullptr;
}

void Tensor::backward() const {
  if (numel() != 1)
    throw std::invalid_argument("backward() without a gradient needs a one-element tensor, got " +
                                to_string(shape()));
  backward(Tensor::full(shape(), 1.0f, device()));
}

void Tensor::backward(const Tensor& grad) const {
  run_backward(*this, grad);
}

bool Tensor::whole_storage() const {
  return impl_->offset == 0 && numel() == impl_->storage->size();
}

void Tensor::set_spike_index(std::shared_ptr<const Storage::SpikeIndex> flat) {
  if (!whole_storage())
    throw std::invalid_argument("set_spike_index: the tensor must be its whole storage");
  impl_->storage->spike_index = std::move(flat);
}

void Tensor::set_repeating(int64_t block) {
  if (!whole_storage() || block <= 0 || numel() % block != 0)
    throw std::invalid_argument("set_repeating: blocks of " + std::to_string(block) +
                                " in a tensor of " + std::to_string(numel()) +
                                " values that is not its whole storage or not a multiple");
  impl_->storage->repeat_block = block;
}

bool Tensor::repeats(int64_t block) const {
  return whole_storage() && impl_->storage->repeat_block == block;
}

Tensor Tensor::from_spike_index(const Shape& shape,
                                std::shared_ptr<const Storage::SpikeIndex> flat) {
  Tensor t = uninitialized(shape);
  t.set_spike_index(std::move(flat));
  t.impl_->storage->defer_to_spike_index();
  return t;
}

Tensor Tensor::from_periodic_spikes(const Shape& shape,
                                    std::shared_ptr<const PeriodicSpikes> spikes) {
  check_periodic_spikes(*spikes);
  Tensor t = uninitialized(shape);
  if (shape.empty() || shape[0] != spikes->steps || t.numel() != spikes->steps * spikes->width)
    throw std::invalid_argument("from_periodic_spikes: " + std::to_string(spikes->steps) + " x " +
                                std::to_string(spikes->width) + " spikes for shape " +
                                to_string(shape));
  t.impl_->storage->periodic = std::move(spikes);
  t.impl_->storage->defer_to_spike_index();
  return t;
}

const PeriodicSpikes* Tensor::periodic_spikes() const {
  if (!whole_storage()) return nullptr;
  return impl_->storage->periodic.get();
}

const Storage::SpikeIndex* Tensor::spike_index() const {
  if (!whole_storage()) return nullptr;
  Storage& s = *impl_->storage;
  if (s.periodic) {  // built once, on first demand; readers may ask together
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    if (!s.spike_index)
      s.spike_index = std::make_shared<const Storage::SpikeIndex>(periodic_flat_index(*s.periodic));
  }
  return s.spike_index.get();
}

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = impl_->storage;
  impl->offset = impl_->offset;
  impl->shape = impl_->shape;
  impl->device = impl_->device;
  return Tensor(std::move(impl));
}

Tensor Tensor::clone() const {
  Tensor t = uninitialized(shape(), device());
  copy_floats(t.raw_data(), device(), raw_data(), device(), numel());
  return t;
}

void Tensor::copy_(const Tensor& src) {
  if (src.shape() != shape())
    throw std::invalid_argument("copy_: shape " + to_string(src.shape()) + " into " +
                                to_string(shape()));
  copy_floats(raw_data(), device(), src.raw_data(), src.device(), numel());
}

void Tensor::fill_(float value) {
  if (device() == Device::cuda)
    cuda::fill(raw_data(), numel(), value);
  else
    std::fill(raw_data(), raw_data() + numel(), value);
}

}  // namespace soma
