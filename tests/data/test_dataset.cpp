// dataset_info.json, loaders, converters (valid and malformed rows), the
// whole preparation path and the tokenized_path round trip.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>

#include "core/error.h"
#include "data/converter.h"
#include "data/dataset.h"
#include "data/encode.h"
#include "data/loader.h"
#include "data/tokenized_io.h"
#include "fake_vocab.h"

namespace lf::data {
namespace {
namespace fs = std::filesystem;
using json = Row;

// A fresh folder per test under the build tree.
fs::path scratch() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::path(LF_BINARY_DIR) / "test-data-scratch" / (std::string(info->test_suite_name()) + "." + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(DatasetInfo, ParsesColumnsTagsAndFlags) {
  const std::string info = R"({
    "chat": {"file_name": "chat.jsonl", "formatting": "sharegpt", "ranking": true, "num_samples": 5,
             "columns": {"messages": "messages", "system": "sys", "chosen": "c", "rejected": "r"},
             "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
                      "system_tag": "system"}},
    "plain": {"file_name": "plain.json"},
    "hub": {"hf_hub_url": "org/data", "file_name": "ignored.json"}
  })";
  const auto attrs = parse_dataset_info(info, {"chat", "plain", "hub"}, "dataset_info.json");
  EXPECT_EQ(attrs[0].formatting, Formatting::sharegpt);
  EXPECT_TRUE(attrs[0].ranking);
  EXPECT_EQ(attrs[0].num_samples, 5);
  EXPECT_EQ(attrs[0].messages, "messages");
  EXPECT_EQ(attrs[0].system, "sys");
  EXPECT_EQ(attrs[0].role_tag, "role");
  EXPECT_EQ(attrs[0].assistant_tag, "assistant");
  EXPECT_EQ(attrs[0].observation_tag, "observation");  // default kept
  EXPECT_EQ(attrs[1].formatting, Formatting::alpaca);
  EXPECT_EQ(attrs[1].prompt, "instruction");
  EXPECT_EQ(attrs[1].split, "train");
  EXPECT_EQ(attrs[2].source, Source::hf_hub);  // hub wins over file_name, as in LLaMA-Factory
}

TEST(DatasetInfo, ErrorsNameTheProblem) {
  EXPECT_TRUE(contains(error_of([] { parse_dataset_info("{", {"a"}, "x.json"); }), "not valid JSON"));
  EXPECT_TRUE(contains(error_of([] { parse_dataset_info("{}", {"missing"}, "x.json"); }), "Undefined dataset \"missing\""));
  EXPECT_TRUE(contains(error_of([] { parse_dataset_info(R"({"a": {"file_name": "a.json", "formatting": "csv"}})", {"a"}, "x"); }),
                       "unknown \"formatting\""));
  EXPECT_TRUE(contains(error_of([] { parse_dataset_info(R"({"a": {"formatting": "alpaca"}})", {"a"}, "x"); }), "file_name"));
  EXPECT_TRUE(contains(error_of([] { parse_dataset_info(R"({"a": {"file_name": 3}})", {"a"}, "x"); }), "must be a string"));
  EXPECT_EQ(split_names(" a, b ,,c"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Loader, ReadsJsonArrayJsonLinesAndFolders) {
  const fs::path dir = scratch();
  write(dir / "a.json", R"([{"instruction": "1", "output": "x"}, {"instruction": "2", "output": "y"}])");
  write(dir / "b.jsonl", "{\"text\": \"one\"}\n\n{\"text\": \"two\"}\n");
  write(dir / "lines.json", "{\"text\": \"j1\"}\n{\"text\": \"j2\"}\n");
  write(dir / "folder/p1.jsonl", "{\"text\": \"f1\"}\n");
  write(dir / "folder/p2.jsonl", "{\"text\": \"f2\"}\n{\"text\": \"f3\"}\n");
  EXPECT_EQ(read_rows((dir / "a.json").string()).size(), 2u);
  EXPECT_EQ(read_rows((dir / "b.jsonl").string()).size(), 2u);
  EXPECT_EQ(read_rows((dir / "lines.json").string()).size(), 2u);
  const auto rows = read_rows((dir / "folder").string());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2]["text"], "f3");
}

TEST(Loader, BadFilesAreClearErrors) {
  const fs::path dir = scratch();
  write(dir / "bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": oops}\n");
  write(dir / "bad.json", "[{\"a\": 1},\n {\"a\": }]");
  write(dir / "data.parquet", "PAR1");
  write(dir / "data.csv", "a,b\n");
  write(dir / "mixed/a.json", "[]");
  write(dir / "mixed/b.jsonl", "");
  EXPECT_TRUE(contains(error_of([&] { read_rows((dir / "bad.jsonl").string()); }), "line 2"));
  EXPECT_TRUE(contains(error_of([&] { read_rows((dir / "bad.json").string()); }), "near line 2"));
  const std::string parquet = error_of([&] { read_rows((dir / "data.parquet").string()); });
  EXPECT_TRUE(contains(parquet, "parquet")) << parquet;
  EXPECT_TRUE(contains(parquet, ".json, .jsonl")) << parquet;
  EXPECT_TRUE(contains(error_of([&] { read_rows((dir / "data.csv").string()); }), ".json, .jsonl"));
  EXPECT_TRUE(contains(error_of([&] { read_rows((dir / "mixed").string()); }), "mixes file types"));
  EXPECT_TRUE(contains(error_of([&] { read_rows((dir / "nothing.json").string()); }), "does not exist"));
}

TEST(Loader, HubDatasetsSayWhatToDo) {
  DatasetAttr attr;
  attr.name = "alpaca_gpt4_en";
  attr.source = Source::om_hub;  // hub entries that are fetched: test_hub_dataset.cpp
  attr.source_key = "om_hub_url";
  attr.location = "llamafactory/alpaca_gpt4_en";
  const std::string msg = error_of([&] { load_rows(attr, "data"); });
  EXPECT_TRUE(contains(msg, "om_hub_url")) << msg;
  EXPECT_TRUE(contains(msg, "file_name")) << msg;
}

DatasetAttr alpaca_attr() { return DatasetAttr{}; }

DatasetAttr openai_attr() {
  DatasetAttr a;
  a.formatting = Formatting::sharegpt;
  a.messages = "messages";
  a.role_tag = "role";
  a.content_tag = "content";
  a.user_tag = "user";
  a.assistant_tag = "assistant";
  a.system_tag = "system";
  return a;
}

TEST(Converter, AlpacaWithHistoryAndSystem) {
  DatasetAttr attr = alpaca_attr();
  attr.history = "history";
  attr.system = "system";
  const auto c = convert_row(json::parse(R"({"instruction": "Sum", "input": "1 2", "output": "3",
      "system": "S", "history": [["hi", "hello"]]})"), attr);
  ASSERT_TRUE(c.example) << c.skip_reason;
  const Example& ex = *c.example;
  ASSERT_EQ(ex.prompt.size(), 3u);
  EXPECT_EQ(ex.prompt[0].content, "hi");
  EXPECT_EQ(ex.prompt[1].role, Role::assistant);
  EXPECT_EQ(ex.prompt[2].content, "Sum\n1 2");
  EXPECT_EQ(ex.response.at(0).content, "3");
  EXPECT_EQ(ex.system, "S");
}

TEST(Converter, AlpacaMalformedRowsAreSkippedWithReasons) {
  const DatasetAttr attr = alpaca_attr();
  EXPECT_TRUE(contains(convert_row(json::parse(R"({"instruction": 5, "output": "x"})"), attr).skip_reason, "\"instruction\""));
  EXPECT_TRUE(contains(convert_row(json::parse(R"({"instruction": "a", "output": ["x"]})"), attr).skip_reason, "\"output\""));
  EXPECT_TRUE(contains(convert_row(json::parse("[1, 2]"), attr).skip_reason, "not a JSON object"));
  // A missing response is valid at conversion (pre-training) and rejected by sft encoding.
  const auto c = convert_row(json::parse(R"({"instruction": "a"})"), attr);
  ASSERT_TRUE(c.example);
  EXPECT_EQ(supervised_invalid_reason(*c.example), "no response");
}

TEST(Converter, OpenAiStyleMessages) {
  const auto c = convert_row(json::parse(R"({"messages": [
      {"role": "system", "content": "S"}, {"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"},
      {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2"}]})"), openai_attr());
  ASSERT_TRUE(c.example) << c.skip_reason;
  EXPECT_EQ(c.example->system, "S");
  ASSERT_EQ(c.example->prompt.size(), 3u);
  EXPECT_EQ(c.example->prompt[2].content, "q2");
  EXPECT_EQ(c.example->response.at(0).content, "a2");
}

TEST(Converter, SharegptMalformedRowsAreSkippedWithReasons) {
  DatasetAttr attr;
  attr.formatting = Formatting::sharegpt;
  auto reason = [&](const char* text) { return convert_row(json::parse(text), attr).skip_reason; };
  EXPECT_TRUE(contains(reason(R"({"conversations": [{"from": "gpt", "value": "a"}, {"from": "human", "value": "q"}]})"),
                       "invalid role \"gpt\" at message 1"));
  EXPECT_TRUE(contains(reason(R"({"conversations": [{"from": "human", "value": "q"}]})"), "invalid message count"));
  EXPECT_TRUE(contains(reason(R"({"conversations": []})"), "no messages"));
  EXPECT_TRUE(contains(reason(R"({"other": []})"), "missing column \"conversations\""));
  EXPECT_TRUE(contains(reason(R"({"conversations": "hi"})"), "list of messages"));
  EXPECT_TRUE(contains(reason(R"({"conversations": [{"from": "human", "value": 3}, {"from": "gpt", "value": "a"}]})"),
                       "no string \"value\""));
  EXPECT_TRUE(contains(reason(R"({"conversations": [{"from": "human", "value": "q"}, {"from": "system", "value": "s"}]})"),
                       "invalid role \"system\""));
}

TEST(SkipLog, CountsAndKeepsTheFirstReasons) {
  SkipLog log;
  for (int i = 0; i < 5; ++i) log.add(static_cast<size_t>(i), "bad " + std::to_string(i));
  EXPECT_EQ(log.count(), 5u);
  EXPECT_EQ(log.reasons().size(), SkipLog::kKeptReasons);
  EXPECT_EQ(log.summary(), "5 invalid example(s) skipped (row 0: bad 0; row 1: bad 1; row 2: bad 2; ...)");
}

// A small dataset folder: one valid and two broken alpaca rows, one sharegpt
// conversation, and a dataset with no valid row at all.
fs::path make_dataset_dir() {
  const fs::path dir = scratch();
  write(dir / "dataset_info.json", R"({
    "mixed": {"file_name": "mixed.json"},
    "chat": {"file_name": "chat.jsonl", "formatting": "sharegpt"},
    "broken": {"file_name": "broken.json", "columns": {"prompt": "question", "response": "answer"}},
    "many": {"file_name": "many.jsonl"}
  })");
  write(dir / "mixed.json", R"([{"instruction": "Hi", "output": "Hello!"},
    {"instruction": 1, "output": "x"}, {"instruction": "no answer"}])");
  write(dir / "chat.jsonl",
        R"({"conversations": [{"from": "human", "value": "q1"}, {"from": "gpt", "value": "a1"}, {"from": "human", "value": "q2"}, {"from": "gpt", "value": "a2"}]})"
        "\n");
  write(dir / "broken.json", R"([{"question": 1, "answer": "x"}, {"question": 2, "answer": "y"}])");
  std::string many;
  for (int i = 0; i < 20; ++i) many += "{\"instruction\": \"q" + std::to_string(i) + "\", \"output\": \"a\"}\n";
  write(dir / "many.jsonl", many);
  return dir;
}

TEST(PrepareData, ConcatSkipsAndEncodes) {
  const fs::path dir = make_dataset_dir();
  DataOptions o;
  o.dataset_dir = dir.string();
  o.dataset = "mixed, chat";
  const auto examples = load_examples(o.dataset, o);
  EXPECT_EQ(examples.size(), 3u);  // 2 of mixed (one skipped for its type), 1 of chat
  testing::FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen3_nothink"), vocab);
  const auto data = prepare_data(o, tmpl);
  ASSERT_EQ(data.train.size(), 2u);  // "no answer" dropped by sft
  EXPECT_EQ(vocab.render_labels(data.train[1].labels), "…a1<|im_end|>\n…a2<|im_end|>\n");
  EXPECT_TRUE(data.eval.empty());
}

TEST(PrepareData, DatasetWithoutAnyValidRowIsAnError) {
  const fs::path dir = make_dataset_dir();
  DataOptions o;
  o.dataset_dir = dir.string();
  o.dataset = "broken";
  const std::string msg = error_of([&] { load_examples(o.dataset, o); });
  EXPECT_TRUE(contains(msg, "no valid example")) << msg;
  EXPECT_TRUE(contains(msg, "\"question\" must be a string")) << msg;
}

TEST(PrepareData, NothingEncodableIsAnError) {
  const fs::path dir = scratch();
  write(dir / "dataset_info.json", R"({"q": {"file_name": "q.jsonl"}})");
  write(dir / "q.jsonl", "{\"instruction\": \"only a question\"}\n");
  DataOptions o;
  o.dataset_dir = dir.string();
  o.dataset = "q";
  testing::FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen"), vocab);
  const std::string msg = error_of([&] { prepare_data(o, tmpl); });
  EXPECT_TRUE(contains(msg, "no example could be encoded")) << msg;
  EXPECT_TRUE(contains(msg, "no response")) << msg;
}

TEST(PrepareData, MaxSamplesValSizeAndNumSamples) {
  const fs::path dir = make_dataset_dir();
  DataOptions o;
  o.dataset_dir = dir.string();
  o.dataset = "many";
  o.max_samples = 15;
  o.val_size = 0.2;
  testing::FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen"), vocab);
  auto data = prepare_data(o, tmpl);
  EXPECT_EQ(data.eval.size(), 3u);   // ceil(0.2 * 15)
  EXPECT_EQ(data.train.size(), 12u);
  o.val_size = 4;
  data = prepare_data(o, tmpl);
  EXPECT_EQ(data.eval.size(), 4u);
  EXPECT_EQ(data.train.size(), 11u);

  write(dir / "dataset_info.json", R"({"many": {"file_name": "many.jsonl", "num_samples": 30}})");
  o.max_samples.reset();
  o.val_size = 0;
  EXPECT_EQ(load_examples("many", o).size(), 30u);  // every row once, then 10 drawn again
}

TEST(PrepareData, OptionChecks) {
  DataOptions o;
  o.dataset = "a";
  o.eval_dataset = "b";
  o.val_size = 0.1;
  EXPECT_TRUE(contains(error_of([&] { validate(o); }), "val_size"));
  o = DataOptions{};
  o.mask_history = o.train_on_prompt = true;
  EXPECT_TRUE(contains(error_of([&] { validate(o); }), "mask_history"));
  o = DataOptions{};
  o.mix_strategy = "shuffle";
  EXPECT_TRUE(contains(error_of([&] { validate(o); }), "interleave_over"));
  o = DataOptions{};
  o.dataset = "a,b";
  o.interleave_probs = "0.5,0.5";
  EXPECT_TRUE(contains(error_of([&] { validate(o); }), "only valid for interleaved"));
  o.mix_strategy = "interleave_under";
  validate(o);
  o.interleave_probs = "0.5";
  EXPECT_TRUE(contains(error_of([&] { validate(o); }), "should be identical"));
  o.interleave_probs = "0.5,x";
  EXPECT_TRUE(contains(error_of([&] { validate(o); }), "not a probability"));
  o = DataOptions{};
  o.template_name = "glm4";
  o.train_on_prompt = true;
  testing::FakeVocab vocab = testing::glm4_vocab();
  EXPECT_TRUE(contains(error_of([&] { select_template(o, vocab); }), "train_on_prompt"));
  o = DataOptions{};
  testing::FakeVocab with_jinja({{"<|im_end|>"}, std::nullopt, "<|im_end|>", std::nullopt, false, true});
  EXPECT_TRUE(contains(error_of([&] { select_template(o, with_jinja); }), "set `template:`"));
  EXPECT_EQ(select_template(o, vocab).name, "empty");
}

TEST(PrepareData, PackedPretrainingUsesTextColumn) {
  const fs::path dir = scratch();
  write(dir / "dataset_info.json", R"({"c4": {"file_name": "c4.jsonl", "columns": {"prompt": "text"}}})");
  write(dir / "c4.jsonl", "{\"text\": \"abcdef\"}\n{\"text\": \"ghij\"}\n");
  DataOptions o;
  o.dataset_dir = dir.string();
  o.dataset = "c4";
  o.stage = Stage::pt;
  o.cutoff_len = 4;
  testing::FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen3"), vocab);
  const auto data = prepare_data(o, tmpl);  // packing defaults on for pt
  // "abcdef<|im_end|>ghij<|im_end|>" = 12 tokens -> 3 blocks of 4.
  ASSERT_EQ(data.train.size(), 3u);
  EXPECT_EQ(vocab.render(data.train[1].input_ids), "ef<|im_end|>g");
}

TEST(TokenizedPath, SaveThenLoadRoundTrip) {
  const fs::path dir = make_dataset_dir();
  DataOptions o;
  o.dataset_dir = dir.string();
  o.dataset = "many";
  o.neat_packing = true;
  o.cutoff_len = 64;
  o.val_size = 2;
  o.tokenized_path = (dir / "tokenized").string();
  testing::FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen"), vocab);
  const auto saved = prepare_data(o, tmpl);
  EXPECT_TRUE(saved.saved_to_tokenized_path);
  EXPECT_FALSE(saved.loaded_from_tokenized_path);
  ASSERT_FALSE(saved.train.empty());
  EXPECT_EQ(saved.train[0].input_ids.size(), 65u);

  // The source data no longer matters once saved.
  fs::remove(dir / "many.jsonl");
  const auto loaded = prepare_data(o, tmpl);
  EXPECT_TRUE(loaded.loaded_from_tokenized_path);
  ASSERT_EQ(loaded.train.size(), saved.train.size());
  ASSERT_EQ(loaded.eval.size(), saved.eval.size());
  for (size_t i = 0; i < saved.train.size(); ++i) {
    EXPECT_EQ(loaded.train[i].input_ids, saved.train[i].input_ids);
    EXPECT_EQ(loaded.train[i].labels, saved.train[i].labels);
    EXPECT_EQ(loaded.train[i].position_ids, saved.train[i].position_ids);
    EXPECT_EQ(loaded.train[i].segment_ids, saved.train[i].segment_ids);
  }
  const auto meta = load_tokenized(o.tokenized_path).meta;
  EXPECT_EQ(meta.template_name, "qwen");
  EXPECT_TRUE(meta.neat_packing);
  EXPECT_EQ(meta.cutoff_len, 64);
}

TEST(TokenizedPath, TamperedFilesAreDetected) {
  const fs::path dir = scratch();
  TokenizedDataset data;
  data.train.push_back({{1, 2, 3}, {-100, 2, 3}, {}, {}});
  save_tokenized((dir / "t").string(), data);
  write(dir / "t" / "train.jsonl", "{\"input_ids\": [1, 2], \"labels\": [1]}\n");
  EXPECT_TRUE(contains(error_of([&] { load_tokenized((dir / "t").string()); }), "equal length"));
  write(dir / "t" / "train.jsonl", "");
  EXPECT_TRUE(contains(error_of([&] { load_tokenized((dir / "t").string()); }), "counts differ"));
  write(dir / "u" / "meta.json", "{\"builder_name\": \"arrow\"}");
  EXPECT_TRUE(contains(error_of([&] { load_tokenized((dir / "u").string()); }), "Arrow"));
}

TEST(DemoData, EveryShippedDatasetLoadsWithoutSkipsAndEncodes) {
  const std::string dir = std::string(LF_SOURCE_DIR) + "/data";
  DataOptions o;
  o.dataset_dir = dir;
  testing::FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen"), vocab);
  const std::vector<std::pair<std::string, size_t>> minimum = {
      {"identity", 80}, {"alpaca_en_demo", 300}, {"alpaca_zh_demo", 100}, {"sharegpt_demo", 20}, {"c4_demo", 100}};
  size_t bytes = 0;
  for (const auto& [name, at_least] : minimum) {
    SCOPED_TRACE(name);
    const auto attr = read_dataset_info(dir, {name}).at(0);
    const size_t rows = load_rows(attr, dir).size();
    const auto examples = load_examples(name, o);
    EXPECT_EQ(examples.size(), rows);  // nothing skipped
    EXPECT_GE(rows, at_least);
    bytes += fs::file_size(fs::path(dir) / attr.location);
    if (name == "c4_demo") continue;
    for (const auto& ex : examples) {
      ASSERT_EQ(supervised_invalid_reason(ex), "");
      const auto enc = encode_supervised(tmpl, ex, {});
      EXPECT_TRUE(std::any_of(enc.labels.begin(), enc.labels.end(), [](int32_t l) { return l != kIgnoreIndex; }));
    }
  }
  EXPECT_LT(bytes, 1536u * 1024u);
  o.dataset = "c4_demo";
  o.stage = Stage::pt;
  o.cutoff_len = 256;
  EXPECT_GT(prepare_data(o, tmpl).train.size(), 20u);
}

}  // namespace
}  // namespace lf::data
