// Shared set-up of the serve tests: a tiny real model (demo tokenizer, qwen
// template) in the build tree, and an API server over it on 127.0.0.1 and a
// free port, stopped and joined when the object goes away.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "hparams/args.h"
#include "infer/chat_engine.h"
#include "models/create_model.h"
#include "serve/api_server.h"

namespace lf::test {

inline std::filesystem::path serve_scratch(const std::string& name) {
  auto dir = std::filesystem::path(LF_BINARY_DIR) / "test_tmp" / "serve" / (name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::filesystem::path make_tiny_model(const std::filesystem::path& dir, DType dtype = DType::f32) {
  models::CreateModelOptions opt;
  opt.output_dir = dir;
  opt.arch = models::Arch::qwen2;
  opt.hidden_size = 64;
  opt.num_attention_heads = 4;
  opt.tokenizer = models::find_demo_tokenizer();
  opt.dtype = dtype;
  // Wide enough weights that different prompts get different greedy answers
  // (at transformers' 0.02 a tiny model repeats one token whatever it is asked).
  opt.initializer_range = 0.3;
  opt.overwrite = true;
  models::create_model(opt);
  return dir;
}

inline hparams::Args infer_args(const std::filesystem::path& model, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {"model_name_or_path=" + model.string(), "template=qwen"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return hparams::parse_args(argv, hparams::kInferGroups);
}

class RunningServer {
 public:
  RunningServer(const std::filesystem::path& model, serve::ApiOptions options)
      : engine_(infer_args(model)), server_(engine_, prepare(std::move(options))) {
    port_ = server_.bind();
    loop_ = std::thread([this] { server_.serve(); });
  }
  ~RunningServer() {
    server_.stop();
    loop_.join();
  }
  int port() const { return port_; }
  const infer::ChatEngine& engine() const { return engine_; }

 private:
  static serve::ApiOptions prepare(serve::ApiOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    return o;
  }
  infer::ChatEngine engine_;
  serve::ApiServer server_;
  int port_ = 0;
  std::thread loop_;
};

}  // namespace lf::test
