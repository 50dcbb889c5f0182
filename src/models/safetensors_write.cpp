// Writing safetensors files and sharded checkpoints.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "models/safetensors.h"

namespace lf::models {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

uint64_t tensor_bytes(const Tensor& t) { return static_cast<uint64_t>(t.nbytes()); }

// A file under a temporary name, renamed over the target on commit() and
// removed otherwise, so a crash never leaves a half-written checkpoint.
class TempFile {
 public:
  explicit TempFile(fs::path target) : target_(std::move(target)) {
    tmp_ = target_;
    tmp_ += ".tmp";
    f_ = std::fopen(tmp_.c_str(), "wb");
    LF_CHECK(f_, "cannot create ", tmp_.string(), ": ", std::strerror(errno));
  }
  ~TempFile() {
    if (f_) std::fclose(f_);
    if (!committed_) {
      std::error_code ec;
      fs::remove(tmp_, ec);
    }
  }
  void write(const void* p, size_t n) {
    LF_CHECK(std::fwrite(p, 1, n, f_) == n, "cannot write ", tmp_.string(), ": ",
             std::strerror(errno));
  }
  void commit() {
    int rc = std::fclose(f_);
    f_ = nullptr;
    LF_CHECK(rc == 0, "cannot write ", tmp_.string(), ": ", std::strerror(errno));
    fs::rename(tmp_, target_);
    committed_ = true;
  }

 private:
  fs::path target_, tmp_;
  std::FILE* f_ = nullptr;
  bool committed_ = false;
};

}  // namespace

void write_safetensors(const fs::path& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  // Largest elements first: with the 8-byte padded header every tensor then
  // starts at a multiple of its element size.
  std::vector<const NamedTensor*> order;
  std::set<std::string> names;
  for (const auto& nt : tensors) {
    LF_CHECK(nt.second.defined(), path.string(), ": tensor \"", nt.first, "\" is undefined");
    LF_CHECK(names.insert(nt.first).second, path.string(), ": tensor \"", nt.first,
             "\" is written twice");
    LF_CHECK(nt.first != "__metadata__", path.string(), ": \"__metadata__\" is reserved");
    order.push_back(&nt);
  }
  std::stable_sort(order.begin(), order.end(), [](const NamedTensor* a, const NamedTensor* b) {
    size_t sa = dtype_size(a->second.dtype()), sb = dtype_size(b->second.dtype());
    return sa != sb ? sa > sb : a->first < b->first;
  });

  json header = json::object();
  json meta = json::object();
  meta["format"] = "pt";
  for (const auto& [k, v] : metadata) meta[k] = v;
  header["__metadata__"] = meta;
  uint64_t offset = 0;
  for (const NamedTensor* nt : order) {
    const Tensor& t = nt->second;
    uint64_t end = offset + tensor_bytes(t);
    header[nt->first] = {{"dtype", safetensors_dtype_name(t.dtype())},
                         {"shape", t.shape()},
                         {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));

  TempFile out(path);
  out.write(len, 8);
  out.write(text.data(), text.size());
  for (const NamedTensor* nt : order) {
    Tensor host = nt->second.to(Device::cpu()).contiguous();
    out.write(host.raw_data(), host.nbytes());
  }
  out.commit();
}

std::vector<std::string> write_safetensors_sharded(const fs::path& dir,
                                                   const std::vector<NamedTensor>& tensors,
                                                   uint64_t max_shard_bytes,
                                                   const std::string& prefix) {
  LF_CHECK(max_shard_bytes > 0, "maximum shard size must be positive");
  std::vector<std::vector<NamedTensor>> shards(1);
  uint64_t in_shard = 0, total = 0;
  std::set<std::string> names;
  for (const auto& nt : tensors) {
    LF_CHECK(names.insert(nt.first).second, dir.string(), ": tensor \"", nt.first,
             "\" is written twice");
    uint64_t n = tensor_bytes(nt.second);
    if (!shards.back().empty() && in_shard + n > max_shard_bytes) {
      shards.emplace_back();
      in_shard = 0;
    }
    shards.back().push_back(nt);
    in_shard += n;
    total += n;
  }
  fs::create_directories(dir);
  if (shards.size() == 1) {
    std::string name = prefix + ".safetensors";
    write_safetensors(dir / name, tensors);
    return {name};
  }

  std::vector<std::string> files;
  json weight_map = json::object();
  for (size_t i = 0; i < shards.size(); ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "-%05zu-of-%05zu.safetensors", i + 1, shards.size());
    std::string file = prefix + name;
    write_safetensors(dir / file, shards[i]);
    for (const auto& nt : shards[i]) weight_map[nt.first] = file;
    files.push_back(file);
  }
  json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}};
  std::string index_name = prefix + ".safetensors.index.json";
  write_file_atomic(dir / index_name, index.dump(2) + "\n");
  files.push_back(index_name);
  return files;
}

}  // namespace lf::models
