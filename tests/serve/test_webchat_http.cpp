// The web chat server over HTTP, in-process on the tiny model: the page, its
// configuration, the streamed answer (equal to the engine's greedy reply) and
// the refusals of bad requests.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http_client.h"
#include "webchat_fixture.h"

using namespace lf::test;
using lf::data::Message;
using lf::data::Role;
using nlohmann::json;

namespace {

class WebChatHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(serve_scratch("webchat_http"));
    lf::serve::WebChatOptions o;
    o.model_name = "tiny-model";
    o.defaults.max_new_tokens = 256;
    o.defaults.top_p = 0.5;
    o.defaults.temperature = 0.25;
    server_ = new RunningWebChat(make_tiny_model(*dir_ / "model"), o);
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static int port() { return server_->port(); }
  static HttpReply chat(const json& body) { return post(port(), body.dump(), "", "/api/chat"); }

  static std::filesystem::path* dir_;
  static RunningWebChat* server_;
};

std::filesystem::path* WebChatHttp::dir_ = nullptr;
RunningWebChat* WebChatHttp::server_ = nullptr;

json to_json(const std::vector<Message>& messages) {
  json out = json::array();
  for (const auto& m : messages) out.push_back({{"role", m.role == Role::user ? "user" : "assistant"}, {"content", m.content}});
  return out;
}

struct Streamed {
  std::string text, finish_reason, error;
  int pieces = 0;
  int64_t completion_tokens = -1;
};

Streamed read_events(const std::string& body) {
  Streamed s;
  for (const auto& payload : sse_payloads(body)) {
    const json e = json::parse(payload);
    if (e.contains("text")) {
      s.text += e["text"].get<std::string>();
      ++s.pieces;
    }
    if (e.contains("finish_reason")) {
      s.finish_reason = e["finish_reason"];
      s.completion_tokens = e["completion_tokens"];
    }
    if (e.contains("error")) s.error = e["error"];
  }
  return s;
}

}  // namespace

TEST_F(WebChatHttp, ServesASelfContainedPage) {
  auto c = client(port());
  auto r = c.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  const std::string& page = r->body;
  EXPECT_NE(page.find("<title>LLaMA Factory Web Demo</title>"), std::string::npos);
  for (const char* id : {"chatbot", "query", "submit", "clear", "settings", "system", "max_new_tokens", "top_p",
                         "temperature"}) {
    EXPECT_NE(page.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  // Nothing is fetched from elsewhere (no CDN, fonts or scripts).
  for (const char* outside : {"src=\"http", "href=\"http", "//cdn", "@import", "url(http"}) {
    EXPECT_EQ(page.find(outside), std::string::npos) << outside;
  }
  // Model text goes into the page as text only.
  EXPECT_EQ(page.find("innerHTML"), std::string::npos);
}

TEST_F(WebChatHttp, ConfigGivesTheGeneratingDefaults) {
  auto r = get(port(), "/api/config", "");
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = r.json();
  EXPECT_EQ(c["title"], "LLaMA Factory Web Demo");
  EXPECT_EQ(c["model"], "tiny-model");
  EXPECT_EQ(c["max_new_tokens"], 256);
  EXPECT_EQ(c["max_new_tokens_limit"], 8192);
  EXPECT_DOUBLE_EQ(c["top_p"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(c["temperature"].get<double>(), 0.25);
}

TEST_F(WebChatHttp, StreamedPiecesMakeTheGreedyReply) {
  const std::vector<Message> first = {{Role::user, "hello there"}};
  const std::string answer = greedy_reply(server_->engine(), first, 12, "be brief");
  auto r = chat({{"messages", to_json(first)}, {"system", "be brief"}, {"max_new_tokens", 12},
                 {"top_p", 0.7}, {"temperature", 0}});
  ASSERT_EQ(r.status, 200) << r.body;
  Streamed s = read_events(r.body);
  EXPECT_EQ(s.error, "");
  EXPECT_EQ(s.text, answer);
  EXPECT_GT(s.pieces, 1) << "the answer came in one piece: " << r.body;
  EXPECT_EQ(s.finish_reason, "length");
  EXPECT_EQ(s.completion_tokens, 12);

  // The history sent with the next turn is what the model answers to.
  std::vector<Message> second = first;
  second.push_back({Role::assistant, answer});
  second.push_back({Role::user, "and then?"});
  r = chat({{"messages", to_json(second)}, {"max_new_tokens", 10}, {"temperature", 0}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(read_events(r.body).text, greedy_reply(server_->engine(), second, 10));
}

TEST_F(WebChatHttp, BadRequestsGetClearErrors) {
  auto r = chat({{"messages", json::array({{{"role", "assistant"}, {"content", "x"}}})}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json()["error"].get<std::string>().find("role \"user\""), std::string::npos) << r.body;
  r = chat({{"messages", json::array({{{"role", "user"}, {"content", "x"}}})}, {"top_p", 2}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("`top_p` must be in (0, 1]"), std::string::npos) << r.body;
  r = post(port(), "{\"messages\": [", "", "/api/chat");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not valid JSON"), std::string::npos) << r.body;
  r = post(port(), std::string(5u << 20, ' '), "", "/api/chat");
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("clear the history"), std::string::npos) << r.body;
  for (const char* path : {"/../../etc/passwd", "/api/nothing", "/%00", "/index.html"}) {
    r = get(port(), path, "");
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_TRUE(r.json().contains("error")) << path << ": " << r.body;
  }
  // The server is unharmed.
  EXPECT_EQ(get(port(), "/api/config", "").status, 200);
}

TEST_F(WebChatHttp, AClientThatLeavesDoesNotBlockTheNext) {
  const json body = {{"messages", json::array({{{"role", "user"}, {"content", "tell me a long story"}}})},
                     {"max_new_tokens", 4000}, {"temperature", 0}};
  for (int i = 0; i < 3; ++i) {
    auto c = client(port());
    httplib::Request req;
    req.method = "POST";
    req.path = "/api/chat";
    req.set_header("Content-Type", "application/json");
    req.body = body.dump();
    size_t seen = 0;
    req.content_receiver = [&](const char*, size_t n, uint64_t, uint64_t) {
      seen += n;
      return false;  // hang up after the first bytes, as the page's Stop button does
    };
    httplib::Response res;
    httplib::Error err;
    c.send(req, res, err);
    EXPECT_GT(seen, 0u);
  }
  auto r = chat({{"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}, {"max_new_tokens", 4},
                 {"temperature", 0}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(read_events(r.body).finish_reason, "length");
}

TEST_F(WebChatHttp, AnEngineErrorArrivesInTheStream) {
  std::string long_prompt;
  for (int i = 0; i < 5000; ++i) long_prompt += " z";
  auto r = chat({{"messages", json::array({{{"role", "user"}, {"content", long_prompt}}})}, {"max_new_tokens", 4}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  Streamed s = read_events(r.body);
  EXPECT_NE(s.error, "") << r.body.substr(0, 300);
  EXPECT_EQ(s.finish_reason, "");
}

TEST_F(WebChatHttp, TwoPagesAreAnsweredAtOnce) {
  const std::vector<Message> a = {{Role::user, "first page"}}, b = {{Role::user, "second page, longer"}};
  const std::string want_a = greedy_reply(server_->engine(), a, 24), want_b = greedy_reply(server_->engine(), b, 24);
  HttpReply ra, rb;
  std::thread ta([&] { ra = chat({{"messages", to_json(a)}, {"max_new_tokens", 24}, {"temperature", 0}}); });
  std::thread tb([&] { rb = chat({{"messages", to_json(b)}, {"max_new_tokens", 24}, {"temperature", 0}}); });
  ta.join();
  tb.join();
  ASSERT_EQ(ra.status, 200) << ra.body;
  ASSERT_EQ(rb.status, 200) << rb.body;
  EXPECT_EQ(read_events(ra.body).text, want_a);
  EXPECT_EQ(read_events(rb.body).text, want_b);
}
