// safetensors reading, writing, sharding, and every way a header can lie.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "models/safetensors.h"
#include "test_dir.h"

namespace fs = std::filesystem;
using lf::DType;
using lf::Tensor;
using namespace lf::models;

namespace {

// Writes 8-byte length + header + `data_bytes` bytes of data (0, 1, 2, ...).
void write_raw(const fs::path& p, const std::string& header, size_t data_bytes) {
  std::ofstream f(p, std::ios::binary);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) f.put(static_cast<char>(n >> (8 * i)));
  f << header;
  for (size_t i = 0; i < data_bytes; ++i) f.put(static_cast<char>(i));
}

// The error opening `p` raises; fails the test when it opens.
std::string open_error(const fs::path& p) {
  try {
    SafetensorsFile f(p.string());
  } catch (const lf::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << p << " opened although it is corrupt";
  return "";
}

std::string open_set_error(const fs::path& p) {
  try {
    WeightSet::open(p);
  } catch (const lf::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << p << " opened although it is corrupt";
  return "";
}

std::vector<NamedTensor> sample_tensors() {
  return {
      {"a.weight", Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, DType::bf16)},
      {"b.bias", Tensor::from_vector({0.5f, -1.5f, 3.25f}, {3}, DType::f32)},
      {"c.ids", Tensor::from_ints({7, -8}, {2}, DType::i64)},
      {"d.half", Tensor::from_vector({1.5f}, {1, 1}, DType::f16)},
      {"e.scalar", Tensor::from_vector({42}, {}, DType::i32)},
  };
}

}  // namespace

TEST(Safetensors, RoundTripKeepsDtypesShapesAndValues) {
  TestDir dir("st_roundtrip");
  fs::path p = dir.path() / "x.safetensors";
  write_safetensors(p, sample_tensors(), {{"note", "hi"}});

  SafetensorsFile f(p.string());
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(f.metadata().at("note"), "hi");
  ASSERT_EQ(f.entries().size(), 5u);
  EXPECT_EQ(f.entry("a.weight").dtype, DType::bf16);
  EXPECT_EQ(f.entry("a.weight").shape, (lf::Shape{2, 3}));
  EXPECT_EQ(f.entry("e.scalar").shape, lf::Shape{});
  EXPECT_EQ(f.load("a.weight", DType::f32).to_floats(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(f.load("b.bias", DType::f32).to_floats(), (std::vector<float>{0.5f, -1.5f, 3.25f}));
  EXPECT_EQ(f.load("c.ids", DType::i64).to_ints(), (std::vector<int64_t>{7, -8}));
  EXPECT_EQ(f.load("d.half", DType::bf16).to_floats(), std::vector<float>{1.5f});
  EXPECT_EQ(f.load("e.scalar", DType::i64).to_ints(), std::vector<int64_t>{42});

  // Header padded with spaces to 8 bytes; every tensor aligned to its element size.
  std::string bytes = lf::read_file(p);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(bytes[8 + n - 1] == ' ' || bytes[8 + n - 1] == '}', true);
  for (const auto& e : f.entries()) EXPECT_EQ(e.begin % lf::dtype_size(e.dtype), 0u) << e.name;
}

TEST(Safetensors, ReadsTheOutputOfTheReferenceWriter) {
  // The layout Python's safetensors.torch.save_file({"t": torch.tensor([[1., 2.]])}) writes:
  // compact JSON, no __metadata__, space padding.
  TestDir dir("st_reference");
  fs::path p = dir.path() / "ref.safetensors";
  std::string header = R"({"t":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  {
    std::ofstream f(p, std::ios::binary);
    uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) f.put(static_cast<char>(n >> (8 * i)));
    f << header;
    const float v[2] = {1.0f, 2.0f};
    f.write(reinterpret_cast<const char*>(v), sizeof v);
  }
  SafetensorsFile f(p.string());
  EXPECT_EQ(f.load("t", DType::f32).to_floats(), (std::vector<float>{1, 2}));
  EXPECT_TRUE(f.metadata().empty());
}

TEST(Safetensors, ShardedWriterSplitsAndTheIndexReadsBack) {
  TestDir dir("st_sharded");
  std::vector<NamedTensor> ts;
  for (int i = 0; i < 5; ++i)
    ts.push_back({"layer" + std::to_string(i), Tensor::from_vector(std::vector<float>(16, float(i)),
                                                                    {4, 4}, DType::f32)});
  // 64 bytes each, at most 150 per shard -> 2 + 2 + 1.
  auto files = write_safetensors_sharded(dir.path(), ts, 150);
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0], "model-00001-of-00003.safetensors");
  EXPECT_EQ(files[3], "model.safetensors.index.json");
  auto index = nlohmann::json::parse(lf::read_file(dir.path() / files[3]));
  EXPECT_EQ(index["metadata"]["total_size"], 5 * 64);
  EXPECT_EQ(index["weight_map"]["layer4"], "model-00003-of-00003.safetensors");

  WeightSet ws = WeightSet::open(dir.path());
  EXPECT_EQ(ws.names().size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(ws.load("layer" + std::to_string(i), DType::f32).to_floats(),
              std::vector<float>(16, float(i)));

  // Everything fitting in one shard: a plain model.safetensors, no index.
  TestDir one("st_one_shard");
  EXPECT_EQ(write_safetensors_sharded(one.path(), ts, 1 << 20),
            std::vector<std::string>{"model.safetensors"});
  EXPECT_EQ(WeightSet::open(one.path()).names().size(), 5u);
}

TEST(Safetensors, WriterRefusesDuplicateNames) {
  TestDir dir("st_dup_write");
  auto t = Tensor::from_vector({1}, {1});
  EXPECT_THROW(write_safetensors(dir.path() / "d.safetensors", {{"x", t}, {"x", t}}), lf::Error);
  EXPECT_FALSE(fs::exists(dir.path() / "d.safetensors"));
}

struct Corruption {
  const char* label;
  std::string header;
  size_t data_bytes;
  std::vector<std::string> must_mention;
};

TEST(Safetensors, CorruptHeadersAreErrorsNamingFileAndTensor) {
  const std::string ok = R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const std::vector<Corruption> cases = {
      {"not json", "{\"w\": [", 8, {"well-formed JSON"}},
      {"not an object", "[1, 2]", 0, {"not a JSON object"}},
      {"duplicate", "{" + ok + "," + ok + "}", 8, {"\"w\"", "twice"}},
      {"unknown dtype", R"({"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", 8,
       {"\"w\"", "F64"}},
      {"missing field", R"({"w":{"dtype":"F32","shape":[2]}})", 8, {"\"w\"", "data_offsets"}},
      {"negative dim", R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8,
       {"\"w\"", "non-negative"}},
      {"size mismatch", R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8,
       {"\"w\"", "needs 12 bytes"}},
      {"reversed offsets", R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8,
       {"\"w\"", "end before"}},
      {"overlap",
       R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       12, {"\"b\"", "overlap", "\"a\""}},
      {"gap",
       R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
       12, {"\"b\"", "gap"}},
      {"truncated data", "{" + ok + "}", 5, {"\"w\"", "truncated"}},
      {"trailing bytes", "{" + ok + "}", 12, {"4 bytes after the last tensor"}},
      {"overflowing shape",
       R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", 8,
       {"\"w\"", "overflows"}},
      {"metadata not strings", R"({"__metadata__":{"format":1}})", 0, {"__metadata__"}},
  };
  TestDir dir("st_corrupt");
  for (const auto& c : cases) {
    fs::path p = dir.path() / (std::string(c.label) + ".safetensors");
    write_raw(p, c.header, c.data_bytes);
    std::string err = open_error(p);
    EXPECT_NE(err.find(p.string()), std::string::npos) << c.label << ": " << err;
    for (const auto& word : c.must_mention)
      EXPECT_NE(err.find(word), std::string::npos) << c.label << ": " << err;
  }
}

TEST(Safetensors, BrokenLengthFieldsAreErrors) {
  TestDir dir("st_length");
  fs::path tiny = dir.path() / "tiny.safetensors";
  std::ofstream(tiny, std::ios::binary) << "abc";
  EXPECT_NE(open_error(tiny).find("shorter than the 8-byte"), std::string::npos);

  fs::path empty = dir.path() / "empty.safetensors";
  std::ofstream(empty, std::ios::binary).flush();
  EXPECT_NE(open_error(empty).find("shorter than the 8-byte"), std::string::npos);

  fs::path huge = dir.path() / "huge.safetensors";
  {
    std::ofstream f(huge, std::ios::binary);
    uint64_t n = 200ull * 1000 * 1000;
    for (int i = 0; i < 8; ++i) f.put(static_cast<char>(n >> (8 * i)));
    f << "{}";
  }
  EXPECT_NE(open_error(huge).find("exceeds the limit"), std::string::npos);

  fs::path past = dir.path() / "past.safetensors";
  {
    std::ofstream f(past, std::ios::binary);
    uint64_t n = 1000;
    for (int i = 0; i < 8; ++i) f.put(static_cast<char>(n >> (8 * i)));
    f << "{}";
  }
  EXPECT_NE(open_error(past).find("truncated"), std::string::npos);

  EXPECT_NE(open_error(dir.path() / "absent.safetensors").find("cannot open"), std::string::npos);
}

TEST(Safetensors, ATruncatedRealFileNamesTheCutTensor) {
  TestDir dir("st_truncated");
  fs::path p = dir.path() / "model.safetensors";
  write_safetensors(p, sample_tensors());
  fs::resize_file(p, fs::file_size(p) - 3);
  std::string err = open_error(p);
  EXPECT_NE(err.find("truncated"), std::string::npos) << err;
  EXPECT_NE(err.find("tensor \""), std::string::npos) << err;
}

TEST(Safetensors, IndexProblemsAreErrors) {
  TestDir dir("st_index");
  auto t = Tensor::from_vector({1, 2}, {2});
  write_safetensors(dir.path() / "s1.safetensors", {{"a", t}});
  auto write_index = [&](const std::string& weight_map) {
    lf::write_file_atomic(dir.path() / "model.safetensors.index.json",
                          R"({"metadata":{},"weight_map":)" + weight_map + "}");
  };
  write_index(R"({"a":"s1.safetensors"})");
  EXPECT_EQ(WeightSet::open(dir.path()).load("a", DType::f32).to_floats(),
            (std::vector<float>{1, 2}));

  write_index(R"({"a":"s1.safetensors","b":"s1.safetensors"})");
  EXPECT_NE(open_set_error(dir.path()).find("\"b\""), std::string::npos);
  write_index(R"({"a":"missing.safetensors"})");
  EXPECT_NE(open_set_error(dir.path()).find("missing.safetensors"), std::string::npos);
  write_index(R"({"a":"../s1.safetensors"})");
  EXPECT_NE(open_set_error(dir.path()).find("plain file name"), std::string::npos);
  write_index(R"({"a":)");
  EXPECT_NE(open_set_error(dir.path()).find("well-formed"), std::string::npos);

  TestDir none("st_no_weights");
  EXPECT_NE(open_set_error(none.path()).find("no model.safetensors"), std::string::npos);
}

TEST(Safetensors, IntegerTensorsDoNotLoadAsFloats) {
  TestDir dir("st_kind");
  fs::path p = dir.path() / "i.safetensors";
  write_safetensors(p, {{"ids", Tensor::from_ints({1, 2}, {2}, DType::i32)}});
  SafetensorsFile f(p.string());
  EXPECT_THROW(f.load("ids", DType::f32), lf::Error);
  EXPECT_THROW(f.load("nope", DType::i32), lf::Error);
}
