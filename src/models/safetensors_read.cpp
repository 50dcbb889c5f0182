// Parsing and validation of one safetensors file.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "models/safetensors.h"

namespace lf::models {

using nlohmann::json;

namespace {

const std::pair<const char*, DType> kDTypes[] = {
    {"F32", DType::f32}, {"F16", DType::f16}, {"BF16", DType::bf16},
    {"I32", DType::i32}, {"I64", DType::i64}, {"BOOL", DType::boolean},
};

uint64_t read_u64_le(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Reads a non-negative integer JSON value or reports what is wrong with it.
uint64_t as_u64(const json& v, const std::string& where) {
  LF_CHECK(v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0), where,
           " must be a non-negative integer, got ", v.dump());
  return v.get<uint64_t>();
}

}  // namespace

DType safetensors_dtype(const std::string& name) {
  for (const auto& [n, t] : kDTypes)
    if (name == n) return t;
  fail("unsupported safetensors dtype \"", name, "\" (supported: F32, F16, BF16, I32, I64, BOOL)");
}

const char* safetensors_dtype_name(DType t) {
  for (const auto& [n, d] : kDTypes)
    if (d == t) return n;
  fail("dtype ", dtype_name(t), " has no safetensors name");
}

SafetensorsFile::SafetensorsFile(const std::string& path) : map_(path) { parse_header(); }

void SafetensorsFile::parse_header() {
  const std::string& file = map_.path();
  LF_CHECK(map_.size() >= 8, file, ": not a safetensors file (", map_.size(),
           " bytes, shorter than the 8-byte header length)");
  uint64_t n = read_u64_le(map_.data());
  LF_CHECK(n <= kSafetensorsMaxHeader, file, ": header length ", n, " exceeds the limit of ",
           kSafetensorsMaxHeader, " bytes (corrupt or not a safetensors file)");
  LF_CHECK(n <= map_.size() - 8, file, ": header length ", n, " runs past the end of the file (",
           map_.size(), " bytes): the file is truncated");
  data_start_ = 8 + n;
  const char* text = reinterpret_cast<const char*>(map_.data() + 8);

  // nlohmann keeps the last of duplicate keys silently; the format forbids them.
  std::set<std::string> seen;
  std::string duplicate;
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t ev, json& parsed) {
    if (ev == json::parse_event_t::key && depth == 1) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  json header = json::parse(text, text + n, on_event, /*allow_exceptions=*/false);
  LF_CHECK(!header.is_discarded(), file, ": the header is not well-formed JSON");
  LF_CHECK(header.is_object(), file, ": the header is not a JSON object");
  LF_CHECK(duplicate.empty(), file, ": tensor \"", duplicate, "\" appears twice in the header");

  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      LF_CHECK(value.is_object(), file, ": __metadata__ must be an object of strings");
      for (const auto& [k, v] : value.items()) {
        LF_CHECK(v.is_string(), file, ": __metadata__ value of \"", k, "\" is not a string");
        metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string where = file + ": tensor \"" + name + "\"";
    LF_CHECK(value.is_object() && value.contains("dtype") && value.contains("shape") &&
                 value.contains("data_offsets"),
             where, " needs dtype, shape and data_offsets, got ", value.dump());
    TensorEntry e;
    e.name = name;
    LF_CHECK(value["dtype"].is_string(), where, ": dtype must be a string");
    try {
      e.dtype = safetensors_dtype(value["dtype"].get<std::string>());
    } catch (const Error& err) {
      fail(where, ": ", err.what());
    }
    const json& shape = value["shape"];
    LF_CHECK(shape.is_array(), where, ": shape must be an array");
    uint64_t numel = 1;
    for (const json& d : shape) {
      uint64_t dim = as_u64(d, where + " shape entry");
      LF_CHECK(!__builtin_mul_overflow(numel, dim, &numel) && dim <= INT64_MAX, where,
               ": shape ", shape.dump(), " overflows");
      e.shape.push_back(static_cast<int64_t>(dim));
    }
    const json& off = value["data_offsets"];
    LF_CHECK(off.is_array() && off.size() == 2, where, ": data_offsets must be [begin, end]");
    e.begin = as_u64(off[0], where + " data_offsets[0]");
    e.end = as_u64(off[1], where + " data_offsets[1]");
    LF_CHECK(e.end >= e.begin, where, ": data_offsets [", e.begin, ", ", e.end, "] end before they begin");
    uint64_t expect = 0;
    LF_CHECK(!__builtin_mul_overflow(numel, dtype_size(e.dtype), &expect), where, ": shape ",
             shape.dump(), " overflows");
    LF_CHECK(expect == e.end - e.begin, where, ": ", value["dtype"].get<std::string>(), " ",
             shape.dump(), " needs ", expect, " bytes but data_offsets [", e.begin, ", ", e.end,
             "] hold ", e.end - e.begin);
    entries_.push_back(std::move(e));
  }
  validate_layout(map_.size() - data_start_);
  for (size_t i = 0; i < entries_.size(); ++i) index_[entries_[i].name] = i;
}

// The byte ranges must tile the data buffer exactly: ascending, no overlap,
// no hole, nothing past the end (the rules of the reference parser).
void SafetensorsFile::validate_layout(uint64_t buffer_bytes) {
  const std::string& file = map_.path();
  std::sort(entries_.begin(), entries_.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t pos = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const TensorEntry& e = entries_[i];
    const std::string where = file + ": tensor \"" + e.name + "\"";
    LF_CHECK(e.begin >= pos, where, ": data_offsets [", e.begin, ", ", e.end,
             "] overlap tensor \"", entries_[i - 1].name, "\" (which ends at ", pos, ")");
    LF_CHECK(e.begin == pos, where, ": data_offsets [", e.begin, ", ", e.end, "] leave a gap of ",
             e.begin - pos, " bytes after offset ", pos);
    LF_CHECK(e.end <= buffer_bytes, where, ": data_offsets [", e.begin, ", ", e.end,
             "] run past the end of the data (", buffer_bytes, " bytes): the file is truncated");
    pos = e.end;
  }
  LF_CHECK(pos == buffer_bytes, file, ": ", buffer_bytes - pos,
           " bytes after the last tensor belong to no tensor (corrupt header)");
}

const TensorEntry& SafetensorsFile::entry(const std::string& name) const {
  auto it = index_.find(name);
  LF_CHECK(it != index_.end(), path(), ": no tensor \"", name, "\"");
  return entries_[it->second];
}

Tensor SafetensorsFile::load(const std::string& name, DType dtype, Device device) const {
  const TensorEntry& e = entry(name);
  LF_CHECK(is_floating(e.dtype) == is_floating(dtype), path(), ": tensor \"", name, "\" is ",
           safetensors_dtype_name(e.dtype), " and cannot be loaded as ", dtype_name(dtype));
  return Tensor::from_host(bytes(e), e.dtype, e.shape, dtype, device);
}

}  // namespace lf::models
