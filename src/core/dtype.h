// Element types and the scalar conversions between them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace lf {

enum class DType : uint8_t { f32, bf16, f16, i32, i64, boolean };

size_t dtype_size(DType t);
const char* dtype_name(DType t);  // "float32", "bfloat16", ...
bool is_floating(DType t);
// Accepts our names and Hugging Face / torch spellings: float32, fp32, f32,
// bfloat16, bf16, float16, fp16, half, int32, int64, bool.
DType parse_dtype(const std::string& name);

// bf16 and f16 are stored as raw 16-bit patterns.
struct bf16_t { uint16_t bits; };
struct f16_t { uint16_t bits; };

// Round-to-nearest-even; NaN stays NaN (quiet), Inf stays Inf.
uint16_t f32_to_bf16_bits(float f);
float bf16_bits_to_f32(uint16_t b);
// IEEE half: round-to-nearest-even, overflow to Inf, subnormals kept.
uint16_t f32_to_f16_bits(float f);
float f16_bits_to_f32(uint16_t h);

// Converts n elements between any two dtypes (host memory, contiguous).
void convert_elements(const void* src, DType src_t, void* dst, DType dst_t, size_t n);

}  // namespace lf
