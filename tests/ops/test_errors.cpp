// Operand checks: device mismatches name the op and every operand's device;
// shape and dtype errors name the op and the shapes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "cases.h"
#include "core/error.h"
#include "core/host_runtime.h"
#include "core/runtime.h"

namespace lf::test {
namespace {

// A host-memory stand-in for an accelerator family this build lacks, visible
// only while a test holds a FakeVisible guard (so the conformance harness,
// which discovers devices at run time, never sees it).
class FakeRuntime final : public DeviceRuntime {
 public:
  explicit FakeRuntime(DeviceType t) : type_(t) {}
  static inline bool visible = false;
  DeviceType type() const override { return type_; }
  int device_count() override { return visible ? 1 : 0; }
  DeviceInfo info(int) override { return {"fake", 0, 0}; }
  std::vector<std::pair<std::string, std::string>> env_lines() override { return {}; }
  void* raw_alloc(int, size_t n) override { return std::malloc(n ? n : 1); }
  void raw_free(int, void* p) override { std::free(p); }
  void copy_from_host(int, void* d, const void* s, size_t n) override { std::memcpy(d, s, n); }
  void copy_to_host(int, void* d, const void* s, size_t n) override { std::memcpy(d, s, n); }
  void copy_on_device(int, void* d, const void* s, size_t n) override { std::memcpy(d, s, n); }
  void synchronize(int) override {}
  void copy_strided(int, void* dst, const void* src, DType t, const std::vector<int64_t>& shape,
                    const std::vector<int64_t>& strides, int64_t offset) override {
    host_copy_strided(dst, src, t, shape, strides, offset);
  }
  void convert(int, void* dst, DType dt, const void* src, DType st, size_t n) override {
    convert_elements(src, st, dst, dt, n);
  }

 private:
  DeviceType type_;
};

struct FakeVisible {
  FakeVisible() { FakeRuntime::visible = true; }
  ~FakeVisible() { FakeRuntime::visible = false; }
};

// A non-CPU device: a real one when the build has one visible, else the fake.
Device other_device() {
  ops::init_backends();
  for (DeviceType t : {DeviceType::npu, DeviceType::cuda}) {
    DeviceRuntime* rt = find_runtime(t);
    if (rt && rt->device_count() > 0) return {t, 0};
  }
  for (DeviceType t : {DeviceType::npu, DeviceType::cuda})
    if (!find_runtime(t)) {
      register_runtime(std::make_unique<FakeRuntime>(t));
      return {t, 0};
    }
  ADD_FAILURE() << "no device family free for the fake runtime";
  return Device::cpu();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Errors, DeviceMismatchNamesOpAndEveryOperand) {
  FakeVisible guard;
  const Device other = other_device();
  const std::string o = other.str();
  Tensor a = make(randn(6, 1), {2, 3}, DType::f32, other);
  Tensor b = make(randn(12, 2), {3, 4}, DType::f32);
  EXPECT_EQ(error_of([&] { ops::matmul(a, b); }),
            "matmul: operands on different devices: a on " + o + ", b on cpu; move them with .to(device)");
  Tensor q = make(randn(8, 3), {1, 2, 1, 4}, DType::f32);
  Tensor k = make(randn(8, 4), {1, 2, 1, 4}, DType::f32, other);
  EXPECT_EQ(error_of([&] { ops::attention(q, k, q, {}); }),
            "attention: operands on different devices: q on cpu, k on " + o +
                ", v on cpu; move them with .to(device)");
  Tensor ids = make_ints({0, 1}, {2}, DType::i64, other);
  EXPECT_EQ(error_of([&] { ops::embedding(ids, b); }),
            "embedding: operands on different devices: ids on " + o +
                ", weight on cpu; move them with .to(device)");
  // A mask tensor on the wrong device is caught too, before any backend runs.
  ops::AttentionParams p;
  p.kv_lens = make_ints({2}, {1}, DType::i32, other);
  EXPECT_NE(error_of([&] { ops::attention(q, q, q, p); }).find("kv_lens on " + o), std::string::npos);
}

TEST(Errors, ShapeErrorsNameOpAndShapes) {
  Tensor a = make(randn(6, 1), {2, 3}, DType::f32), b = make(randn(20, 2), {4, 5}, DType::f32);
  EXPECT_EQ(error_of([&] { ops::matmul(a, b); }),
            "matmul: inner dimensions differ (3 vs 4) for a float32[2, 3], b float32[4, 5] with "
            "trans_a=0, trans_b=0");
  EXPECT_EQ(error_of([&] { ops::rms_norm(a, make(randn(4, 3), {4}, DType::f32), 1e-6f); }),
            "rms_norm: w must be [H] with H the last dimension of x: x float32[2, 3], w float32[4]");
  Tensor q = make(randn(24, 1), {1, 2, 3, 4}, DType::f32), k = make(randn(16, 2), {1, 2, 2, 4}, DType::f32);
  EXPECT_EQ(error_of([&] { ops::attention(q, k, k, {}); }),
            "attention: query heads must be a multiple of key/value heads (GQA): q float32[1, 2, 3, 4], "
            "k float32[1, 2, 2, 4], v float32[1, 2, 2, 4]");
  EXPECT_EQ(error_of([&] { ops::add(a, b); }),
            "add: shapes differ: a float32[2, 3], b float32[4, 5]");
  EXPECT_EQ(error_of([&] { ops::swiglu(a, b); }),
            "swiglu: shapes differ: gate float32[2, 3], up float32[4, 5]");
}

TEST(Errors, KvLensBeyondTheCacheAreRejected) {
  Tensor q = make(randn(4, 1), {1, 1, 1, 4}, DType::f32), k = make(randn(12, 2), {1, 3, 1, 4}, DType::f32);
  ops::AttentionParams p;
  p.kv_lens = make_ints({4}, {1}, DType::i32);
  EXPECT_EQ(error_of([&] { ops::attention(q, k, k, p); }),
            "attention: kv_lens value 4 is outside [0, Tk] with Tk = 3");
}

TEST(Errors, DtypeAndValueErrors) {
  Tensor w = make(randn(12, 1), {4, 3}, DType::f32);
  EXPECT_EQ(error_of([&] { ops::embedding(make(randn(2, 2), {2}, DType::f32), w); }),
            "embedding: ids must be int32 or int64, got float32[2] on cpu");
  EXPECT_NE(error_of([&] { ops::embedding(make_ints({1, 4}, {2}), w); }).find("token id 4"),
            std::string::npos);
  Tensor h = make(randn(6, 3), {2, 3}, DType::f32);
  EXPECT_EQ(error_of([&] { ops::linear_cross_entropy(h, w, make_ints({1, 9}, {2})); }),
            "linear_cross_entropy: label 9 is outside the vocabulary [0, 4) and is not the ignore "
            "index -100");
  Tensor p = make(randn(4, 4), {4}, DType::bf16);
  Tensor m = ops::zeros({4}, DType::f32, Device::cpu());
  EXPECT_EQ(error_of([&] { ops::adamw_step(p, m, m, m, {}); }),
            "adamw_step: param must be contiguous float32 (master weights and optimiser state), got "
            "bfloat16[4] on cpu");
}

}  // namespace
}  // namespace lf::test
