// Tensor: a typed, strided view of device storage. Views share storage and
// are cheap; contiguity is explicit (contiguous() copies only when needed).
// Strides and offsets are in elements, as CANN and most kernels expect.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"

namespace lf {

using Shape = std::vector<int64_t>;

// A block of memory on one device, returned to its caching allocator when
// the last tensor using it is gone.
class Storage {
 public:
  Storage(Device device, size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  const Device& device() const { return device_; }

 private:
  Device device_;
  void* data_ = nullptr;
  size_t bytes_ = 0;
  size_t block_ = 0;
};

std::string shape_str(const Shape& s);  // "[2, 3]"
int64_t shape_numel(const Shape& s);
Shape contiguous_strides(const Shape& s);

class Tensor {
 public:
  Tensor() = default;

  static Tensor empty(const Shape& shape, DType dtype, Device device = Device::cpu());
  // Host data in `src_type`, converted to `dtype` and placed on `device`.
  static Tensor from_host(const void* src, DType src_type, const Shape& shape, DType dtype,
                          Device device = Device::cpu());
  static Tensor from_vector(const std::vector<float>& v, const Shape& shape,
                            DType dtype = DType::f32, Device device = Device::cpu());
  static Tensor from_ints(const std::vector<int64_t>& v, const Shape& shape,
                          DType dtype = DType::i64, Device device = Device::cpu());

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  const Shape& strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t d) const;
  int64_t stride(int64_t d) const;
  int64_t offset() const { return offset_; }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  DType dtype() const { return dtype_; }
  Device device() const;
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  bool is_contiguous() const;
  bool same_storage(const Tensor& o) const { return storage_ == o.storage_; }
  std::string describe() const;  // "bfloat16[2, 3] on npu:0"

  // Views (no copy).
  Tensor view(const Shape& shape) const;  // requires contiguity; one dim may be -1
  Tensor slice(int64_t dim, int64_t start, int64_t end) const;
  Tensor select(int64_t dim, int64_t index) const;  // drops `dim`
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze(int64_t dim) const;

  // Copies (return *this when nothing changes).
  Tensor contiguous() const;
  Tensor reshape(const Shape& shape) const;  // view if possible, else copy
  Tensor to(Device device) const;
  Tensor to(DType dtype) const;
  Tensor clone() const;
  // Copies `src` (same shape) into this tensor's memory; devices and dtypes may differ.
  void copy_from(const Tensor& src);

  // Pointer to the first element; `T` must match the dtype's size.
  void* raw_data() const;
  template <typename T>
  T* data() const { return static_cast<T*>(raw_data()); }
  // Host pointer; throws unless the tensor is on the CPU.
  template <typename T>
  T* host_data() const {
    check_host("host_data");
    return data<T>();
  }

  // Copies to the host as float / int64 (any dtype, any device, any strides).
  std::vector<float> to_floats() const;
  std::vector<int64_t> to_ints() const;
  float item() const;

 private:
  void check_host(const char* what) const;
  std::shared_ptr<Storage> storage_;
  Shape shape_, strides_;
  int64_t offset_ = 0;
  DType dtype_ = DType::f32;
};

}  // namespace lf
