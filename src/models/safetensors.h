// The safetensors format (huggingface/safetensors): 8 bytes little-endian
// header length N, N bytes of JSON {name: {dtype, shape, data_offsets}} and an
// optional "__metadata__" string map, then the tensor bytes, row-major.
//
// Reading validates everything the header claims before any byte is used, so a
// truncated or lying file is an lf::Error naming the file and the tensor, never
// an out-of-bounds read. Writing follows the reference writer: the header is
// padded with spaces to a multiple of 8 bytes and carries {"format": "pt"}.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "models/mapped_file.h"

namespace lf::models {

// The reference parser's limit; a larger header is a corrupt length field.
constexpr uint64_t kSafetensorsMaxHeader = 100ull * 1000 * 1000;

// "F32" <-> DType for the element types we read and write
// (F32, F16, BF16, I32, I64, BOOL); other names are an error.
DType safetensors_dtype(const std::string& name);
const char* safetensors_dtype_name(DType t);

struct TensorEntry {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;
  uint64_t begin = 0, end = 0;  // byte range inside the data buffer
};

// One memory-mapped .safetensors file.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);

  const std::string& path() const { return map_.path(); }
  // In file order (ascending offsets).
  const std::vector<TensorEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  const TensorEntry& entry(const std::string& name) const;  // error naming file and tensor
  // The raw bytes (may be unaligned when another writer did not pad the header).
  const uint8_t* bytes(const TensorEntry& e) const { return map_.data() + data_start_ + e.begin; }
  // Converted to `dtype` and placed on `device`.
  Tensor load(const std::string& name, DType dtype, Device device = Device::cpu()) const;

 private:
  void parse_header();
  void validate_layout(uint64_t buffer_bytes);
  MappedFile map_;
  uint64_t data_start_ = 0;
  std::vector<TensorEntry> entries_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// The weights of a model directory: model.safetensors, or the shards listed by
// model.safetensors.index.json (every listed shard is opened and checked to
// hold the tensors the index assigns to it).
class WeightSet {
 public:
  // `path`: a directory, a .safetensors file or an .index.json file.
  static WeightSet open(const std::filesystem::path& path);

  std::vector<std::string> names() const;  // sorted
  bool contains(const std::string& name) const { return where_.count(name) != 0; }
  const TensorEntry& entry(const std::string& name) const;
  const SafetensorsFile& file_of(const std::string& name) const;
  Tensor load(const std::string& name, DType dtype, Device device = Device::cpu()) const;
  const std::string& origin() const { return origin_; }  // for error messages

 private:
  std::string origin_;
  std::vector<std::shared_ptr<SafetensorsFile>> files_;
  std::map<std::string, size_t> where_;  // tensor -> index into files_
};

// A named tensor to write; any device, any strides.
using NamedTensor = std::pair<std::string, Tensor>;

// Writes one file atomically. Tensors are laid out largest element first so
// each starts aligned to its element size; names must be unique.
void write_safetensors(const std::filesystem::path& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Writes `prefix`.safetensors when everything fits in `max_shard_bytes`, else
// `prefix`-00001-of-0000N.safetensors ... plus `prefix`.safetensors.index.json
// ({"metadata": {"total_size"}, "weight_map"}), as transformers'
// save_pretrained does. Shards are filled in the given order; a tensor larger
// than the limit gets a shard of its own. Returns the files written.
std::vector<std::string> write_safetensors_sharded(const std::filesystem::path& dir,
                                                   const std::vector<NamedTensor>& tensors,
                                                   uint64_t max_shard_bytes,
                                                   const std::string& prefix = "model");

}  // namespace lf::models
