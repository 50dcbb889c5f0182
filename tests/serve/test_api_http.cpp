// The API over raw HTTP: response shapes, generation fields, streaming,
// authentication, hostile input, disconnects and concurrent streams.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <set>

#include "http_client.h"
#include "serve_fixture.h"

using namespace lf::test;
using nlohmann::json;

namespace {

std::string request(const std::string& user, int max_tokens, bool stream = false, const json& extra = json::object()) {
  json body = {{"model", "test-model"},
               {"messages", json::array({{{"role", "user"}, {"content", user}}})},
               {"do_sample", false},
               {"max_tokens", max_tokens},
               {"stream", stream}};
  body.update(extra);
  return body.dump();
}

class ApiHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(serve_scratch("http"));
    lf::serve::ApiOptions o;
    o.api_key = kTestKey;
    o.model_name = "served-name";
    o.max_body_bytes = 1u << 20;
    server_ = new RunningServer(make_tiny_model(*dir_ / "model"), o);
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static int port() { return server_->port(); }
  // The greedy answer to `user` through the engine itself.
  static std::string greedy(const std::string& user, int max_tokens) {
    lf::infer::GenerationOverrides o;
    o.do_sample = false;
    o.max_new_tokens = max_tokens;
    return server_->engine().chat({{lf::data::Role::user, user}}, "", "", o).text;
  }
  static inline RunningServer* server_ = nullptr;
  static inline std::filesystem::path* dir_ = nullptr;
};

void expect_error(const HttpReply& r, int status, const std::string& message) {
  EXPECT_EQ(r.status, status) << r.body;
  json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_EQ(j.value("detail", ""), message) << r.body;
  EXPECT_EQ(j["error"].value("message", ""), message) << r.body;
}

void expect_status_with_json_error(const HttpReply& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_TRUE(j["error"]["message"].is_string()) << r.body;
}

}  // namespace

TEST_F(ApiHttp, ModelsAndHealth) {
  auto r = get(port(), "/v1/models");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  EXPECT_EQ(j["object"], "list");
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["id"], "served-name");
  EXPECT_EQ(j["data"][0]["object"], "model");
  EXPECT_EQ(j["data"][0]["owned_by"], "owner");
  EXPECT_EQ(get(port(), "/health").status, 200);
}

TEST_F(ApiHttp, EveryRouteNeedsTheKey) {
  for (const std::string key : {"", "wrong", "sk-serve-tesT", "sk-serve-test-longer"}) {
    expect_error(get(port(), "/v1/models", key), 401, "Invalid API key.");
    expect_error(get(port(), "/health", key), 401, "Invalid API key.");
    expect_error(post(port(), request("hi", 2), key), 401, "Invalid API key.");
  }
}

TEST_F(ApiHttp, NonStreamingCompletionHasTheReferenceShape) {
  auto r = post(port(), request("hello", 6));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["model"], "test-model");
  EXPECT_EQ(j["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
  EXPECT_GT(j["created"].get<int64_t>(), 1600000000);
  ASSERT_EQ(j["choices"].size(), 1u);
  EXPECT_EQ(j["choices"][0]["index"], 0);
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(j["choices"][0]["message"]["content"], greedy("hello", 6));
  const auto& u = j["usage"];
  EXPECT_GT(u["prompt_tokens"].get<int>(), 0);
  EXPECT_GE(u["completion_tokens"].get<int>(), 1);
  EXPECT_LE(u["completion_tokens"].get<int>(), 6);
  EXPECT_EQ(u["total_tokens"], u["prompt_tokens"].get<int>() + u["completion_tokens"].get<int>());
}

TEST_F(ApiHttp, MaxTokensEndsWithLength) {
  const std::string full = greedy("hello there", 40);
  auto j = post(port(), request("hello there", 3)).json();
  ASSERT_TRUE(j.contains("usage")) << j;
  // The tiny model never meets its stop tokens this early; 3 tokens is the cap.
  EXPECT_EQ(j["usage"]["completion_tokens"], 3);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(full.rfind(j["choices"][0]["message"]["content"].get<std::string>(), 0), 0u);
}

TEST_F(ApiHttp, GreedyIsDeterministic) {
  auto a = post(port(), request("tell me a story", 12)).json();
  auto b = post(port(), request("tell me a story", 12)).json();
  EXPECT_EQ(a["choices"][0]["message"]["content"], b["choices"][0]["message"]["content"]);
  // temperature 0 is greedy too, whatever do_sample says (LLaMA-Factory's rule).
  auto c = post(port(), request("tell me a story", 12, false, {{"do_sample", true}, {"temperature", 0}})).json();
  EXPECT_EQ(a["choices"][0]["message"]["content"], c["choices"][0]["message"]["content"]);
}

TEST_F(ApiHttp, StopStringsCutTheAnswer) {
  const std::string full = greedy("hello", 30);
  ASSERT_GE(full.size(), 8u) << full;
  // Two whole characters from the middle of the greedy answer: the answer ends before them.
  auto boundary = [&](size_t i) {
    while (i < full.size() && (static_cast<unsigned char>(full[i]) & 0xC0) == 0x80) ++i;
    return i;
  };
  const size_t from = boundary(full.size() / 2);
  const std::string stop = full.substr(from, boundary(boundary(from + 1) + 1) - from);
  ASSERT_FALSE(stop.empty()) << full;
  const std::string expected = full.substr(0, full.find(stop));
  auto j = post(port(), request("hello", 30, false, {{"stop", json::array({"\x01never", stop})}})).json();
  EXPECT_EQ(j["choices"][0]["message"]["content"], expected) << j;
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  auto s = read_stream(post(port(), request("hello", 30, true, {{"stop", stop}})).body);
  EXPECT_EQ(s.content, expected);
  EXPECT_EQ(s.finish_reason, "stop");
  EXPECT_TRUE(s.done);
}

TEST_F(ApiHttp, StreamHasTheReferenceEventSequence) {
  auto r = post(port(), request("hello", 5, true));
  ASSERT_EQ(r.status, 200) << r.body;
  auto events = sse_payloads(r.body);
  ASSERT_GE(events.size(), 3u) << r.body;
  EXPECT_EQ(events.back(), "[DONE]");
  json first = json::parse(events.front());
  EXPECT_EQ(first["object"], "chat.completion.chunk");
  EXPECT_EQ(first["choices"][0]["delta"], json({{"role", "assistant"}, {"content", ""}}));
  json last = json::parse(events[events.size() - 2]);
  EXPECT_EQ(last["choices"][0]["delta"], json::object());
  EXPECT_EQ(last["choices"][0]["finish_reason"], "length");
  for (size_t i = 1; i + 2 < events.size(); ++i) {
    json e = json::parse(events[i]);
    EXPECT_EQ(e["id"], first["id"]);
    EXPECT_TRUE(e["choices"][0]["delta"]["content"].is_string());
    EXPECT_FALSE(e["choices"][0].contains("finish_reason"));
  }
  EXPECT_EQ(read_stream(r.body).content, greedy("hello", 5));
}

TEST_F(ApiHttp, SeveralChoices) {
  auto j = post(port(), request("hello", 4, false, {{"n", 3}, {"do_sample", false}})).json();
  ASSERT_EQ(j["choices"].size(), 3u) << j;
  int total = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(j["choices"][i]["index"], i);
    EXPECT_TRUE(j["choices"][i]["message"]["content"].is_string());
  }
  total = j["usage"]["completion_tokens"];
  EXPECT_GE(total, 3);
  EXPECT_LE(total, 12);
}

TEST_F(ApiHttp, ConversationRulesAreLlamaFactorys) {
  auto conv = [&](const json& messages, const json& extra = json::object()) {
    json body = {{"model", "m"}, {"messages", messages}, {"max_tokens", 2}};
    body.update(extra);
    return post(port(), body.dump());
  };
  json u = {{"role", "user"}, {"content", "hi"}}, a = {{"role", "assistant"}, {"content", "yo"}};
  json s = {{"role", "system"}, {"content", "be brief"}}, t = {{"role", "tool"}, {"content", "42"}};
  expect_error(conv(json::array()), 400, "Invalid length");
  expect_error(conv(json::array({u, a})), 400, "Only supports u/a/u/a/u...");
  expect_error(conv(json::array({s})), 400, "Only supports u/a/u/a/u...");
  expect_error(conv(json::array({a})), 400, "Invalid role");
  expect_error(conv(json::array({u, u, u})), 400, "Invalid role");
  expect_error(conv(json::array({u, a, s})), 400, "Invalid role");
  expect_error(conv(json::array({u}), {{"stream", true}, {"n", 2}}), 400, "Cannot stream multiple responses.");
  json tools = json::array({{{"type", "function"}, {"function", {{"name", "f"}, {"description", "d"}, {"parameters", json::object()}}}}});
  expect_error(conv(json::array({u}), {{"stream", true}, {"tools", tools}}), 400, "Cannot stream function calls.");
  EXPECT_EQ(conv(json::array({s, u, a, t})).status, 200);
  EXPECT_EQ(conv(json::array({u}), {{"tools", tools}}).status, 200);
  // Text parts are joined; assistant tool calls are accepted as function turns.
  json parts = {{"role", "user"}, {"content", json::array({{{"type", "text"}, {"text", "a"}}, {{"type", "text"}, {"text", "b"}}})}};
  json call = {{"role", "assistant"}, {"content", nullptr},
               {"tool_calls", json::array({{{"id", "c"}, {"type", "function"}, {"function", {{"name", "f"}, {"arguments", "{}"}}}}})}};
  EXPECT_EQ(conv(json::array({parts, call, t})).status, 200);
}

TEST_F(ApiHttp, HostileBodiesGetClientErrors) {
  for (const std::string body :
       {"", "not json", "{\"messages\": [", "[1,2,3]", "null", "{\"messages\": \"hi\"}", "{}",
        "{\"messages\": [1]}", "{\"messages\": [{\"content\": \"hi\"}]}",
        "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}",
        "{\"messages\": [{\"role\": \"user\"}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": \"ten\"}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 1.5}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 0}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": -1}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"top_p\": 0}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 1000}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stream\": \"yes\"}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": 3}",
        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"\xff\xfe\"}]}"}) {
    auto r = post(port(), body);
    SCOPED_TRACE(body);
    EXPECT_GE(r.status, 400);
    EXPECT_LT(r.status, 500);
    EXPECT_TRUE(r.json()["error"]["message"].is_string()) << r.body;
  }
  // Deep nesting would exhaust a recursive parser's stack.
  expect_status_with_json_error(post(port(), std::string(200000, '[')), 422);
  // Larger than max_body_bytes (1 MiB here).
  expect_status_with_json_error(post(port(), request(std::string(2u << 20, 'a'), 2)), 413);
  expect_status_with_json_error(get(port(), "/v1/nothing"), 404);
  // A prompt longer than the model's context is the request's fault.
  std::string long_prompt;
  for (int i = 0; i < 5000; ++i) long_prompt += " z";
  auto r = post(port(), request(long_prompt, 2));
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);
  // The server still answers normally afterwards.
  EXPECT_EQ(post(port(), request("hello", 2)).status, 200);
}

TEST_F(ApiHttp, ClientLeavingMidStreamFreesTheServer) {
  for (int i = 0; i < 3; ++i) {
    auto c = client(port());
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.set_header("Authorization", "Bearer " + kTestKey);
    req.set_header("Content-Type", "application/json");
    req.body = request("a long answer please", 500, true);
    size_t seen = 0;
    req.content_receiver = [&](const char*, size_t n, uint64_t, uint64_t) {
      seen += n;
      return false;  // hang up after the first bytes
    };
    httplib::Response res;
    httplib::Error err;
    c.send(req, res, err);
    EXPECT_GT(seen, 0u);
  }
  // Every KV block of the abandoned streams goes back to the engine.
  const lf::infer::BatchEngine& engine = server_->engine().batch_engine();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (engine.free_blocks() != engine.total_blocks() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(engine.free_blocks(), engine.total_blocks());
  auto r = post(port(), request("hello", 3));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ApiHttp, ConcurrentStreamsEachMatchTheirSequentialGreedyAnswer) {
  constexpr int kStreams = 16;
  std::vector<std::string> prompts, expected;
  for (int i = 0; i < kStreams; ++i) {
    prompts.push_back("question number " + std::to_string(i) + std::string(i % 4, '?'));
    expected.push_back(greedy(prompts.back(), 4 + i % 5));
  }
  ASSERT_NE(std::set<std::string>(expected.begin(), expected.end()).size(), 1u)
      << "the prompts must get different answers for this test to tell streams apart";
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < kStreams; ++i)
    replies.push_back(std::async(std::launch::async, [&, i] { return post(port(), request(prompts[i], 4 + i % 5, true)); }));
  for (int i = 0; i < kStreams; ++i) {
    HttpReply r = replies[i].get();
    ASSERT_EQ(r.status, 200) << i << ": " << r.body;
    StreamedAnswer a = read_stream(r.body);
    EXPECT_EQ(a.content, expected[i]) << i;
    EXPECT_TRUE(a.done) << i;
  }
  EXPECT_GT(server_->engine().batch_engine().peak_batch(), 1) << "the streams were never decoded together";
}
