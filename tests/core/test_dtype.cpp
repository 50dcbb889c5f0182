#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/dtype.h"
#include "core/error.h"
#include "core/tensor.h"

using namespace lf;

TEST(DType, Bf16RoundTripsAndTruncatesToNearest) {
  for (float f : {0.0f, -0.0f, 1.0f, -2.5f, 3.140625f, 65536.0f}) {
    EXPECT_EQ(bf16_bits_to_f32(f32_to_bf16_bits(f)), f) << f;
  }
  EXPECT_EQ(f32_to_bf16_bits(-0.0f), 0x8000);
  // Just above the halfway point rounds up.
  EXPECT_EQ(f32_to_bf16_bits(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)), 0x3f81);
  // Rounding up at the top of the range overflows to Inf, as RNE requires.
  EXPECT_EQ(f32_to_bf16_bits(std::numeric_limits<float>::max()), 0x7f80);
  // Subnormal f32 survive in bf16 (same exponent range).
  float sub = std::ldexp(1.0f, -130);
  EXPECT_EQ(bf16_bits_to_f32(f32_to_bf16_bits(sub)), sub);
  // NaN stays NaN even when only low mantissa bits are set.
  uint32_t nan_bits = 0x7f800001;
  float low_nan;
  std::memcpy(&low_nan, &nan_bits, 4);
  EXPECT_TRUE(std::isnan(bf16_bits_to_f32(f32_to_bf16_bits(low_nan))));
}

TEST(DType, F16RoundingOverflowAndSubnormals) {
  EXPECT_EQ(f32_to_f16_bits(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_f16_bits(-2.0f), 0xc000);
  EXPECT_EQ(f32_to_f16_bits(65504.0f), 0x7bff);  // largest finite half
  EXPECT_EQ(f32_to_f16_bits(65520.0f), 0x7c00);  // halfway to the next: ties to even = Inf
  EXPECT_EQ(f32_to_f16_bits(1e6f), 0x7c00);
  EXPECT_EQ(f32_to_f16_bits(-INFINITY), 0xfc00);
  EXPECT_TRUE(std::isnan(f16_bits_to_f32(f32_to_f16_bits(std::nanf("")))));
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1).
  EXPECT_EQ(f32_to_f16_bits(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  // 1 + 3 * 2^-11 is halfway between odd 0x3c01 and even 0x3c02.
  EXPECT_EQ(f32_to_f16_bits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  // Smallest subnormal 2^-24, and a value that must round to it.
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(f16_bits_to_f32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(1.5f, -24)), 0x0002);   // tie: to even
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(1.0f, -26)), 0x0000);   // underflow to zero
  EXPECT_EQ(f16_bits_to_f32(0x03ff), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(1.0f, -14)), 0x0400);   // smallest normal
}

TEST(DType, ConvertElementsBetweenTypes) {
  const float src[4] = {1.5f, -2.0f, 0.0f, 3.0f};
  int32_t ints[4];
  convert_elements(src, DType::f32, ints, DType::i32, 4);
  EXPECT_EQ(ints[1], -2);
  uint16_t halves[4];
  convert_elements(src, DType::f32, halves, DType::f16, 4);
  float back[4];
  convert_elements(halves, DType::f16, back, DType::f32, 4);
  EXPECT_EQ(back[0], 1.5f);
  EXPECT_EQ(back[3], 3.0f);
}

TEST(DType, NamesAndSizes) {
  EXPECT_EQ(parse_dtype("bfloat16"), DType::bf16);
  EXPECT_EQ(parse_dtype("fp16"), DType::f16);
  EXPECT_EQ(parse_dtype("half"), DType::f16);
  EXPECT_EQ(parse_dtype("float32"), DType::f32);
  EXPECT_EQ(dtype_size(DType::bf16), 2u);
  EXPECT_EQ(dtype_size(DType::i64), 8u);
  EXPECT_THROW(parse_dtype("float8"), Error);
}

TEST(Tensor, ToDtypeRoundsAndKeepsSpecials) {
  Tensor t = Tensor::from_vector({1.0f + std::ldexp(1.0f, -8), INFINITY, std::nanf(""), -0.5f}, {4});
  Tensor b = t.to(DType::bf16);
  EXPECT_EQ(b.dtype(), DType::bf16);
  auto v = b.to_floats();
  EXPECT_EQ(v[0], 1.0f);
  EXPECT_EQ(v[1], INFINITY);
  EXPECT_TRUE(std::isnan(v[2]));
  EXPECT_EQ(v[3], -0.5f);
  EXPECT_EQ(t.to(DType::f32).same_storage(t), true);  // no change, no copy
}
