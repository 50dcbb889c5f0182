// A model's weights across one file or the shards of an index.
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "models/safetensors.h"

namespace lf::models {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Shards live beside their index; a name that climbs out of it is refused
// rather than followed.
fs::path shard_path(const fs::path& index, const std::string& shard) {
  fs::path rel(shard);
  LF_CHECK(!shard.empty() && rel.is_relative() && rel.filename() == rel, index.string(),
           ": shard \"", shard, "\" must be a plain file name in the same directory");
  return index.parent_path() / rel;
}

}  // namespace

WeightSet WeightSet::open(const fs::path& path) {
  WeightSet ws;
  fs::path index, single;
  if (fs::is_directory(path)) {
    if (fs::exists(path / "model.safetensors.index.json")) index = path / "model.safetensors.index.json";
    else if (fs::exists(path / "model.safetensors")) single = path / "model.safetensors";
    else fail("no model.safetensors or model.safetensors.index.json in ", path.string(),
              " (only safetensors checkpoints are read; convert .bin weights to safetensors)");
  } else if (path.string().ends_with(".json")) {
    index = path;
  } else {
    single = path;
  }

  if (!single.empty()) {
    ws.origin_ = single.string();
    ws.files_.push_back(std::make_shared<SafetensorsFile>(single.string()));
    for (const auto& e : ws.files_[0]->entries()) ws.where_[e.name] = 0;
    return ws;
  }

  ws.origin_ = index.string();
  json doc = json::parse(read_file(index), nullptr, /*allow_exceptions=*/false);
  LF_CHECK(!doc.is_discarded(), index.string(), ": not well-formed JSON");
  LF_CHECK(doc.is_object() && doc.contains("weight_map") && doc["weight_map"].is_object(),
           index.string(), ": needs a \"weight_map\" object of tensor name -> shard file");
  std::map<std::string, size_t> shard_ids;
  for (const auto& [tensor, shard] : doc["weight_map"].items()) {
    LF_CHECK(shard.is_string(), index.string(), ": weight_map entry of tensor \"", tensor,
             "\" is not a file name");
    const std::string name = shard.get<std::string>();
    auto it = shard_ids.find(name);
    if (it == shard_ids.end()) {
      fs::path p = shard_path(index, name);
      LF_CHECK(fs::exists(p), index.string(), ": shard ", name, " (holding tensor \"", tensor,
               "\") is missing");
      ws.files_.push_back(std::make_shared<SafetensorsFile>(p.string()));
      it = shard_ids.emplace(name, ws.files_.size() - 1).first;
    }
    LF_CHECK(ws.files_[it->second]->contains(tensor), index.string(), ": tensor \"", tensor,
             "\" is mapped to ", name, " but that shard does not contain it");
    ws.where_[tensor] = it->second;
  }
  return ws;
}

std::vector<std::string> WeightSet::names() const {
  std::vector<std::string> out;
  out.reserve(where_.size());
  for (const auto& [name, _] : where_) out.push_back(name);
  return out;
}

const SafetensorsFile& WeightSet::file_of(const std::string& name) const {
  auto it = where_.find(name);
  LF_CHECK(it != where_.end(), origin_, ": the checkpoint has no tensor \"", name, "\"");
  return *files_[it->second];
}

const TensorEntry& WeightSet::entry(const std::string& name) const {
  return file_of(name).entry(name);
}

Tensor WeightSet::load(const std::string& name, DType dtype, Device device) const {
  return file_of(name).load(name, dtype, device);
}

}  // namespace lf::models
