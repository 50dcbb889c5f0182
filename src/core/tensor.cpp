#include "core/tensor.h"

#include <cstring>
#include <sstream>

#include "core/allocator.h"
#include "core/error.h"
#include "core/runtime.h"

namespace lf {

Storage::Storage(Device device, size_t bytes) : device_(device), bytes_(bytes) {
  data_ = allocator_for(device).allocate(bytes, &block_);
}

Storage::~Storage() { allocator_for(device_).release(data_, block_); }

std::string shape_str(const Shape& s) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << ']';
  return os.str();
}

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

Shape contiguous_strides(const Shape& s) {
  Shape st(s.size());
  int64_t acc = 1;
  for (size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t d : shape) LF_CHECK(d >= 0, "tensor shape ", shape_str(shape), " has a negative size");
  Tensor t;
  t.shape_ = shape;
  t.strides_ = contiguous_strides(shape);
  t.dtype_ = dtype;
  t.storage_ = std::make_shared<Storage>(device, t.nbytes());
  return t;
}

Tensor Tensor::from_host(const void* src, DType src_type, const Shape& shape, DType dtype,
                         Device device) {
  Tensor host = empty(shape, dtype, Device::cpu());
  convert_elements(src, src_type, host.raw_data(), dtype, static_cast<size_t>(host.numel()));
  return device.type == DeviceType::cpu ? host : host.to(device);
}

Tensor Tensor::from_vector(const std::vector<float>& v, const Shape& shape, DType dtype,
                           Device device) {
  LF_CHECK(static_cast<int64_t>(v.size()) == shape_numel(shape), "from_vector: ", v.size(),
           " values do not fill shape ", shape_str(shape));
  return from_host(v.data(), DType::f32, shape, dtype, device);
}

Tensor Tensor::from_ints(const std::vector<int64_t>& v, const Shape& shape, DType dtype,
                         Device device) {
  LF_CHECK(static_cast<int64_t>(v.size()) == shape_numel(shape), "from_ints: ", v.size(),
           " values do not fill shape ", shape_str(shape));
  return from_host(v.data(), DType::i64, shape, dtype, device);
}

int64_t Tensor::size(int64_t d) const {
  int64_t nd = dim();
  if (d < 0) d += nd;
  LF_CHECK(d >= 0 && d < nd, "dimension ", d, " out of range for ", describe());
  return shape_[d];
}

int64_t Tensor::stride(int64_t d) const {
  int64_t nd = dim();
  if (d < 0) d += nd;
  LF_CHECK(d >= 0 && d < nd, "dimension ", d, " out of range for ", describe());
  return strides_[d];
}

Device Tensor::device() const { return storage_ ? storage_->device() : Device::cpu(); }

bool Tensor::is_contiguous() const {
  int64_t acc = 1;
  for (size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] != 1 && strides_[i] != acc) return false;
    acc *= shape_[i];
  }
  return true;
}

std::string Tensor::describe() const {
  if (!defined()) return "undefined tensor";
  return std::string(dtype_name(dtype_)) + shape_str(shape_) + " on " + device().str();
}

Tensor Tensor::view(const Shape& shape) const {
  LF_CHECK(is_contiguous(), "view ", shape_str(shape), " of non-contiguous ", describe(),
           ": call contiguous() or reshape()");
  Shape s = shape;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      LF_CHECK(infer < 0, "view ", shape_str(shape), ": only one dimension may be -1");
      infer = static_cast<int64_t>(i);
    } else {
      known *= s[i];
    }
  }
  if (infer >= 0) {
    LF_CHECK(known > 0 && numel() % known == 0, "view ", shape_str(shape), " of ", describe(),
             ": sizes do not divide");
    s[infer] = numel() / known;
  }
  LF_CHECK(shape_numel(s) == numel(), "view ", shape_str(shape), " of ", describe(),
           ": element counts differ");
  Tensor t = *this;
  t.shape_ = s;
  t.strides_ = contiguous_strides(s);
  return t;
}

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end) const {
  int64_t nd = dim();
  if (d < 0) d += nd;
  LF_CHECK(d >= 0 && d < nd, "slice: dimension ", d, " out of range for ", describe());
  LF_CHECK(0 <= start && start <= end && end <= shape_[d], "slice [", start, ", ", end,
           ") out of range for dimension ", d, " of ", describe());
  Tensor t = *this;
  t.offset_ += start * strides_[d];
  t.shape_[d] = end - start;
  return t;
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  int64_t nd = dim();
  if (d < 0) d += nd;
  Tensor t = slice(d, index, index + 1);
  t.shape_.erase(t.shape_.begin() + d);
  t.strides_.erase(t.strides_.begin() + d);
  return t;
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  int64_t nd = dim();
  if (d0 < 0) d0 += nd;
  if (d1 < 0) d1 += nd;
  LF_CHECK(d0 >= 0 && d0 < nd && d1 >= 0 && d1 < nd, "transpose(", d0, ", ", d1,
           ") out of range for ", describe());
  Tensor t = *this;
  std::swap(t.shape_[d0], t.shape_[d1]);
  std::swap(t.strides_[d0], t.strides_[d1]);
  return t;
}

Tensor Tensor::unsqueeze(int64_t d) const {
  int64_t nd = dim();
  if (d < 0) d += nd + 1;
  LF_CHECK(d >= 0 && d <= nd, "unsqueeze(", d, ") out of range for ", describe());
  Tensor t = *this;
  int64_t st = d < nd ? strides_[d] * shape_[d] : 1;
  t.shape_.insert(t.shape_.begin() + d, 1);
  t.strides_.insert(t.strides_.begin() + d, st);
  return t;
}

Tensor Tensor::squeeze(int64_t d) const {
  int64_t nd = dim();
  if (d < 0) d += nd;
  LF_CHECK(d >= 0 && d < nd && shape_[d] == 1, "squeeze(", d, ") needs a size-1 dimension in ",
           describe());
  Tensor t = *this;
  t.shape_.erase(t.shape_.begin() + d);
  t.strides_.erase(t.strides_.begin() + d);
  return t;
}

void* Tensor::raw_data() const {
  LF_CHECK(defined(), "use of an undefined tensor");
  return static_cast<char*>(storage_->data()) + offset_ * static_cast<int64_t>(dtype_size(dtype_));
}

void Tensor::check_host(const char* what) const {
  LF_CHECK(defined(), what, ": undefined tensor");
  LF_CHECK(device().type == DeviceType::cpu, what, ": ", describe(),
           " is not on the CPU; copy it with .to(Device::cpu()) first");
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor out = empty(shape_, dtype_, device());
  Device d = device();
  runtime_for(d).copy_strided(d.index, out.raw_data(), storage_->data(), dtype_, shape_, strides_,
                              offset_);
  return out;
}

Tensor Tensor::reshape(const Shape& shape) const { return contiguous().view(shape); }

Tensor Tensor::clone() const {
  Tensor out = empty(shape_, dtype_, device());
  out.copy_from(*this);
  return out;
}

Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  Tensor out = empty(shape_, dtype_, target);
  out.copy_from(*this);
  return out;
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  Tensor out = empty(shape_, dtype, device());
  out.copy_from(*this);
  return out;
}

void Tensor::copy_from(const Tensor& src) {
  LF_CHECK(src.shape_ == shape_, "copy_from: shape ", shape_str(src.shape_), " into ",
           shape_str(shape_));
  LF_CHECK(is_contiguous(), "copy_from: destination ", describe(), " must be contiguous");
  if (numel() == 0) return;
  Tensor s = src.contiguous();
  Device sd = s.device(), dd = device();
  if (s.dtype_ != dtype_) {
    // Convert on the source device, then move the bytes.
    Tensor conv = empty(shape_, dtype_, sd);
    runtime_for(sd).convert(sd.index, conv.raw_data(), dtype_, s.raw_data(), s.dtype_,
                            static_cast<size_t>(numel()));
    s = conv;
  }
  size_t n = nbytes();
  if (sd == dd) {
    runtime_for(dd).copy_on_device(dd.index, raw_data(), s.raw_data(), n);
  } else if (sd.type == DeviceType::cpu) {
    runtime_for(dd).copy_from_host(dd.index, raw_data(), s.raw_data(), n);
  } else if (dd.type == DeviceType::cpu) {
    runtime_for(sd).copy_to_host(sd.index, raw_data(), s.raw_data(), n);
  } else {
    Tensor host = empty(shape_, dtype_, Device::cpu());
    runtime_for(sd).copy_to_host(sd.index, host.raw_data(), s.raw_data(), n);
    runtime_for(dd).copy_from_host(dd.index, raw_data(), host.raw_data(), n);
  }
}

std::vector<float> Tensor::to_floats() const {
  Tensor h = to(Device::cpu()).contiguous();
  std::vector<float> out(static_cast<size_t>(numel()));
  convert_elements(h.raw_data(), dtype_, out.data(), DType::f32, out.size());
  return out;
}

std::vector<int64_t> Tensor::to_ints() const {
  Tensor h = to(Device::cpu()).contiguous();
  std::vector<int64_t> out(static_cast<size_t>(numel()));
  convert_elements(h.raw_data(), dtype_, out.data(), DType::i64, out.size());
  return out;
}

float Tensor::item() const {
  LF_CHECK(numel() == 1, "item() of ", describe(), ": needs exactly one element");
  return to_floats()[0];
}

}  // namespace lf
