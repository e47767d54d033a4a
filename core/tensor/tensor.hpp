#pragma once
// Tensor: float32, contiguous, row-major, up to 5-D, time-first (T, B, ...) by convention.
// A Tensor is a cheap handle (shared_ptr) to its storage plus autograd metadata, as in PyTorch:
// copies alias; use clone() for a deep copy.
#include <Eigen/Core>
#include <initializer_list>
#include <memory>
#include <vector>

#include "core/tensor/device.hpp"
#include "core/tensor/shape.hpp"
#include "core/tensor/storage.hpp"

namespace soma {

class Rng;
struct Node;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // views (reshape, slices along dim 0) share storage
  Shape shape;
  Device device = Device::cpu;
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;  // accumulated gradient of a leaf
  std::shared_ptr<Node> grad_fn;     // the node that produced this tensor, if any
  int output_nr = 0;                 // which output of grad_fn this tensor is
};

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;
using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Factories. Storage counts in memory_stats() (core/tensor/memory_stats.hpp). A cuda device
  // needs a CUDA build (otherwise std::runtime_error).
  static Tensor zeros(const Shape& shape, Device device = Device::cpu);
  // Uninitialised values: for kernels that overwrite every element before anyone reads it (a
  // GEMM output with beta 0, a scan's outputs). Never return one with elements unwritten.
  static Tensor uninitialized(const Shape& shape, Device device = Device::cpu);
  // The same in pinned host memory (a CUDA build with a device; see pin_memory()).
  static Tensor uninitialized_pinned(const Shape& shape);
  static Tensor ones(const Shape& shape);
  static Tensor full(const Shape& shape, float value, Device device = Device::cpu);
  static Tensor scalar(float value);
  static Tensor from(const Shape& shape, std::vector<float> values);
  static Tensor arange(int64_t n);
  static Tensor randn(const Shape& shape, Rng& rng);
  static Tensor rand(const Shape& shape, Rng& rng, float lo = 0, float hi = 1);
  static Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.device()); }

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl_->shape; }
  int dim() const { return int(impl_->shape.size()); }
  int64_t size(int d) const;
  int64_t numel() const { return numel_of(impl_->shape); }
  Device device() const { return impl_->device; }

  // Host pointer for CPU kernels. In a CUDA build it throws for a cuda tensor: a CPU kernel
  // must fail loudly on device memory, never read it (see core/backend/device_check.hpp).
  float* data() {
    check_host();
    return raw_data();
  }
  const float* data() const {
    check_host();
    return raw_data();
  }
  // The storage pointer on the tensor's own device: for backends and copies only.
  float* raw_data() {
    // A writer may change the values. Checked first: concurrent callers on a tensor without an
    // index or a promise (the common case: OpenMP loops writing one output) then never write
    // the storage's fields, which would be a data race.
    float* p = impl_->storage->data() + impl_->offset;  // writes deferred values first
    if (impl_->storage->spike_index) impl_->storage->spike_index.reset();
    if (impl_->storage->periodic) impl_->storage->periodic.reset();
    if (impl_->storage->repeat_block) impl_->storage->repeat_block = 0;
    return p;
  }
  const float* raw_data() const { return impl_->storage->data() + impl_->offset; }
  float item() const;  // copies from the device for a cuda tensor
  float at(std::initializer_list<int64_t> index) const;
  float& at(std::initializer_list<int64_t> index);
  std::vector<float> to_vector() const;  // copies from the device for a cuda tensor

  // A copy on `device` (the same tensor when it is there already). Differentiable: the
  // gradient flows back to the source device. Explicit on purpose: ops never move data.
  Tensor to(Device device) const;
  Tensor cpu() const { return to(Device::cpu); }
  Tensor cuda() const { return to(Device::cuda); }
  // A copy in pinned (page-locked) host memory, or this tensor when it is pinned already, as
  // torch's pin_memory(). to(Device::cuda) from it is queued without a host-side copy and the
  // host goes on at once; writing the pinned tensor before the stream has run that copy would
  // race with it, so fill it first (the data loader's batches are never written again). Needs
  // a CUDA build with a device.
  Tensor pin_memory() const;
  bool is_pinned() const;

  // Eigen views of the flat data, or of the data as rows x cols (row-major).
  ArrayMap array() { return {data(), Eigen::Index(numel())}; }
  ConstArrayMap array() const { return {data(), Eigen::Index(numel())}; }
  MatrixMap matrix(int64_t rows, int64_t cols);
  ConstMatrixMap matrix(int64_t rows, int64_t cols) const;
  // The tensor as a matrix whose columns are the last dimension.
  MatrixMap matrix() { return matrix(numel() / last_dim(), last_dim()); }
  ConstMatrixMap matrix() const { return matrix(numel() / last_dim(), last_dim()); }

  // Autograd.
  bool requires_grad() const { return impl_->requires_grad; }
  Tensor& requires_grad_(bool on = true);
  bool is_leaf() const { return impl_->grad_fn == nullptr; }
  Tensor grad() const;  // undefined until a backward pass reaches this leaf
  void set_grad(const Tensor& g);
  void zero_grad() { impl_->grad.reset(); }
  void backward() const;  // for a one-element tensor
  void backward(const Tensor& grad) const;
  const std::shared_ptr<Node>& grad_fn() const { return impl_->grad_fn; }
  int output_nr() const { return impl_->output_nr; }

  Tensor detach() const;  // shares storage, no history
  Tensor clone() const;   // deep copy on the same device, no history
  // In-place value copy (shapes must match; between any devices), no history.
  void copy_(const Tensor& src);
  void fill_(float value);

  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }
  bool same_storage(const Tensor& o) const { return impl_->storage == o.impl_->storage; }

  // A promise from the code that just wrote this tensor: its values are 1 at the sorted flat
  // indices `flat` and 0 elsewhere (Storage::spike_index). For a tensor that is its whole
  // storage; dropped by the next non-const data() or raw_data() on any view of it.
  void set_spike_index(std::shared_ptr<const Storage::SpikeIndex> flat);
  // A promise of the same kind: the values are equal blocks of `block` floats (Storage::
  // repeat_block); repeats(block) tells whether this whole-storage tensor carries it.
  void set_repeating(int64_t block);
  bool repeats(int64_t block) const;
  // That index, or null when none was set, a write dropped it, or this view is not the whole
  // storage.
  const Storage::SpikeIndex* spike_index() const;
  // Zeros with ones at `flat` (sorted, unique, within the shape), written only when someone
  // reads the values (Storage::defer_to_spike_index); the index is attached.
  static Tensor from_spike_index(const Shape& shape,
                                 std::shared_ptr<const Storage::SpikeIndex> flat);
  // The same for spikes as repeating trains (periodic_spikes.hpp): the flat index is built
  // from them only if spike_index() is asked for.
  static Tensor from_periodic_spikes(const Shape& shape,
                                     std::shared_ptr<const PeriodicSpikes> spikes);
  // Those trains, or null (as spike_index()).
  const PeriodicSpikes* periodic_spikes() const;
  // True while such a tensor's values have not been written (for tests and benchmarks).
  bool values_deferred() const { return impl_->storage->deferred(); }

 private:
  // This view is its storage entire (offset 0, every value): the storages' promises
  // (spike_index, periodic, repeat_block) describe it only then.
  bool whole_storage() const;
  void check_host() const {
#ifdef SOMA_CUDA
    if (impl_->device != Device::cpu) throw_not_on_host();
#endif
  }
  [[noreturn]] void throw_not_on_host() const;
  int64_t last_dim() const {
    return dim() == 0 ? 1 : impl_->shape.back();
  }
  int64_t flat_index(std::initializer_list<int64_t> index) const;
  std::shared_ptr<TensorImpl> impl_;
};

using Tensors = std::vector<Tensor>;

}  // namespace soma
