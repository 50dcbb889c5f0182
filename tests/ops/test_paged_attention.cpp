// paged_attention: rows whose keys are scattered over a block pool (shuffled
// block ids, ragged lengths, GQA, several queries per row) give the same output
// as attention() over each row's keys laid out contiguously; the backend's
// default (gather + attention) agrees with its override; bad operands are
// clear errors; every visible accelerator matches the CPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "core/error.h"
#include "core/runtime.h"
#include "ops/ops.h"
#include "util.h"

namespace lf::test {
namespace {

struct PagedIn {
  int64_t B, Tq, Hq, Hkv, D, bs, blocks, max_blocks;
  std::vector<int64_t> lens, table;  // table: [B, max_blocks], -1 padded with 0
  Vec q, kpool, vpool;
};

PagedIn paged_in(uint64_t seed, DType dt) {
  std::mt19937_64 rng(seed);
  PagedIn in;
  in.B = 1 + static_cast<int64_t>(rng() % 4);
  in.Tq = seed % 2 ? 1 : 3;
  in.Hkv = 1 + static_cast<int64_t>(rng() % 4);  // 3 splits unevenly when one row runs on its own
  in.Hq = in.Hkv * (1 + static_cast<int64_t>(rng() % 3));
  in.D = seed % 3 ? 16 : 7;
  in.bs = seed % 2 ? 4 : 16;
  for (int64_t b = 0; b < in.B; ++b) in.lens.push_back(in.Tq + static_cast<int64_t>(rng() % 40));
  int64_t need = 0;
  in.max_blocks = 1;
  for (int64_t len : in.lens) {
    need += (len + in.bs - 1) / in.bs;
    in.max_blocks = std::max(in.max_blocks, (len + in.bs - 1) / in.bs);
  }
  in.blocks = need + 3;  // a few blocks no row owns
  std::vector<int64_t> ids(static_cast<size_t>(in.blocks));
  std::iota(ids.begin(), ids.end(), 0);
  std::shuffle(ids.begin(), ids.end(), rng);
  in.table.assign(static_cast<size_t>(in.B * in.max_blocks), 0);
  size_t next = 0;
  for (int64_t b = 0; b < in.B; ++b)
    for (int64_t j = 0; j < (in.lens[b] + in.bs - 1) / in.bs; ++j) in.table[b * in.max_blocks + j] = ids[next++];
  in.q = randn(static_cast<size_t>(in.B * in.Tq * in.Hq * in.D), seed + 1, 1.0f, dt);
  const size_t pool = static_cast<size_t>(in.blocks * in.bs * in.Hkv * in.D);
  in.kpool = randn(pool, seed + 2, 1.0f, dt);
  in.vpool = randn(pool, seed + 3, 1.0f, dt);
  return in;
}

struct PagedTensors {
  Tensor q, k, v, table, lens;
};

PagedTensors tensors(const PagedIn& in, DType dt, Device d) {
  const Shape pool{in.blocks, in.bs, in.Hkv, in.D};
  return {make(in.q, {in.B, in.Tq, in.Hq, in.D}, dt, d), make(in.kpool, pool, dt, d),
          make(in.vpool, pool, dt, d), make_ints(in.table, {in.B, in.max_blocks}, DType::i32, d),
          make_ints(in.lens, {in.B}, DType::i32, d)};
}

// attention() per row over its keys gathered on the host.
Vec contiguous_reference(const PagedIn& in, DType dt) {
  Vec out;
  const int64_t row = in.Hkv * in.D;
  for (int64_t b = 0; b < in.B; ++b) {
    const int64_t len = in.lens[b];
    Vec k, v;
    for (int64_t j = 0; j < len; ++j) {
      const int64_t blk = in.table[b * in.max_blocks + j / in.bs];
      const auto at = (blk * in.bs + j % in.bs) * row;
      k.insert(k.end(), in.kpool.begin() + at, in.kpool.begin() + at + row);
      v.insert(v.end(), in.vpool.begin() + at, in.vpool.begin() + at + row);
    }
    const int64_t qrow = in.Tq * in.Hq * in.D;
    Vec qb(in.q.begin() + b * qrow, in.q.begin() + (b + 1) * qrow);
    ops::AttentionParams p;  // causal: query i sees keys up to len - Tq + i
    Vec o = ops::attention(make(qb, {1, in.Tq, in.Hq, in.D}, dt), make(k, {1, len, in.Hkv, in.D}, dt),
                           make(v, {1, len, in.Hkv, in.D}, dt), p)
                .out.to_floats();
    out.insert(out.end(), o.begin(), o.end());
  }
  return out;
}

TEST(PagedAttention, MatchesAttentionOverContiguousKeys) {
  for (DType dt : {DType::f32, DType::bf16, DType::f16})
    for (uint64_t seed : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}) {
      SCOPED_TRACE(std::string(dtype_name(dt)) + " seed " + std::to_string(seed));
      PagedIn in = paged_in(seed, dt);
      PagedTensors t = tensors(in, dt, Device::cpu());
      Vec got = ops::paged_attention(t.q, t.k, t.v, t.table, t.lens).to_floats();
      EXPECT_TRUE(all_close(got, to_double(contiguous_reference(in, dt)), tol_for(dt)));
    }
}

TEST(PagedAttention, BackendDefaultMatchesTheOverride) {
  ops::init_backends();
  for (uint64_t seed : {7, 8, 9}) {
    PagedIn in = paged_in(seed, DType::f32);
    PagedTensors t = tensors(in, DType::f32, Device::cpu());
    Tensor fast = ops::paged_attention(t.q, t.k, t.v, t.table, t.lens);
    Tensor base = Tensor::empty(t.q.shape(), DType::f32, Device::cpu());
    ops::Backend& be = ops::backend_for(Device::cpu());
    be.ops::Backend::paged_attention(t.q, t.k, t.v, t.table, t.lens, 0.0f, base);
    EXPECT_TRUE(all_close(fast.to_floats(), to_double(base.to_floats()), tol_for(DType::f32))) << seed;
  }
}

TEST(PagedAttention, BadOperandsAreClearErrors) {
  PagedIn in = paged_in(3, DType::f32);
  PagedTensors t = tensors(in, DType::f32, Device::cpu());
  auto message = [&](const Tensor& table, const Tensor& lens) {
    try {
      ops::paged_attention(t.q, t.k, t.v, table, lens);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::vector<int64_t> long_lens(static_cast<size_t>(in.B), in.max_blocks * in.bs + 1);
  EXPECT_NE(message(t.table, make_ints(long_lens, {in.B}, DType::i32)).find("kv_lens[0]"), std::string::npos);
  std::vector<int64_t> bad_table = in.table;
  bad_table[0] = in.blocks;
  EXPECT_NE(message(make_ints(bad_table, {in.B, in.max_blocks}, DType::i32), t.lens).find("block_tables[0, 0]"),
            std::string::npos);
  EXPECT_NE(message(make_ints(in.table, {in.B, in.max_blocks}, DType::i64), t.lens).find("int32"),
            std::string::npos);
}

TEST(PagedAttention, AcceleratorsMatchCpu) {
  ops::init_backends();
  std::vector<Device> devices;
  for (DeviceType type : {DeviceType::npu, DeviceType::cuda})
    if (DeviceRuntime* rt = find_runtime(type))
      for (int i = 0; i < rt->device_count(); ++i) devices.push_back(Device{type, i});
  if (devices.empty()) GTEST_SKIP() << "no accelerator backend compiled in or no device visible";
  for (const Device& d : devices)
    for (DType dt : {DType::f32, DType::bf16})
      for (uint64_t seed : {1, 2, 3}) {
        SCOPED_TRACE(d.str() + " " + dtype_name(dt) + " seed " + std::to_string(seed));
        PagedIn in = paged_in(seed, dt);
        PagedTensors c = tensors(in, dt, Device::cpu()), a = tensors(in, dt, d);
        Vec want = ops::paged_attention(c.q, c.k, c.v, c.table, c.lens).to_floats();
        Vec got = ops::paged_attention(a.q, a.k, a.v, a.table, a.lens).to_floats();
        EXPECT_TRUE(all_close(got, to_double(want), tol_for(dt)));
      }
}

}  // namespace
}  // namespace lf::test
