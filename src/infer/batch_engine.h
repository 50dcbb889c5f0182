// The generation engine: continuous batching over a paged KV cache. One engine
// thread owns the model; requests queue up, are admitted (prefill) as blocks
// and batch slots allow, and every iteration runs one batched decode step for
// all running sequences, each sampled with its own parameters and RNG (so a
// sequence's tokens do not depend on what else is running). Tokens go into a
// per-request buffer that the caller's thread drains, so a slow reader never
// holds up the others.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "infer/generate.h"
#include "models/decoder.h"

namespace lf::infer {

struct EngineOptions {
  int64_t max_batch = 0;                  // sequences decoded together; 0: LLAMAFACTORY_MAX_BATCH or 32
  int64_t block_size = 16;                // positions per KV block
  int64_t kv_cache_bytes = 0;             // 0: LLAMAFACTORY_KV_CACHE_MB or 1 GiB (at least one full context)
  int64_t prefill_tokens_per_step = 1024; // prompt tokens admitted per iteration (at least one prompt)
};

// One request's token stream, written by the engine thread and read by the
// requester's thread.
class Generation {
 public:
  // Waits for tokens and appends them to `out`; false once the sequence has
  // finished and every token was handed out. Throws lf::Error when the engine
  // failed the request.
  bool next(std::vector<int32_t>& out);
  // Ends the sequence at the engine's next step and frees its KV blocks.
  void cancel() { cancelled_ = true; }
  // "stop" (a stop id, or cancelled) or "length"; valid once next() returned false.
  std::string finish_reason() const;
  int64_t prompt_tokens() const { return prompt_tokens_; }

 private:
  friend class BatchEngine;
  void push(int32_t id);
  void finish(const std::string& reason, const std::string& error = "");

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int32_t> pending_;
  bool done_ = false;
  std::string reason_, error_;
  std::atomic<bool> cancelled_{false};
  int64_t prompt_tokens_ = 0;
};

class BatchEngine {
 public:
  // `model` is borrowed and must outlive the engine.
  explicit BatchEngine(const models::Decoder& model, EngineOptions options = {});
  ~BatchEngine();  // requests still in flight finish with an error
  BatchEngine(const BatchEngine&) = delete;
  BatchEngine& operator=(const BatchEngine&) = delete;

  // Queues a prompt. A prompt that cannot fit (the model's context, the KV
  // cache) is an lf::Error here, on the caller's thread.
  std::shared_ptr<Generation> submit(const std::vector<int32_t>& prompt, const GenerateOptions& options);

  // KV cache accounting: blocks free once every finished or cancelled
  // sequence has been released (updated after each engine iteration).
  int64_t total_blocks() const { return total_blocks_; }
  int64_t free_blocks() const { return free_blocks_; }
  int64_t block_size() const { return options_.block_size; }
  int64_t max_batch() const { return options_.max_batch; }
  // The most sequences one decode step has run together so far.
  int64_t peak_batch() const { return peak_batch_; }
  // Sequences that gave their blocks back to let older ones grow (recomputed later).
  int64_t preemptions() const { return preemptions_; }

 private:
  struct Sequence;
  using SeqPtr = std::unique_ptr<Sequence>;
  void loop();
  void drop_cancelled();
  void admit();
  void decode_step();
  bool emit(Sequence& s, const Tensor& logits_row);  // true when the sequence finished
  void finish(Sequence& s, const std::string& reason, const std::string& error = "");

  const models::Decoder& model_;
  EngineOptions options_;
  models::PagedKvCache cache_;
  int64_t total_blocks_ = 0;
  std::atomic<int64_t> free_blocks_{0}, peak_batch_{0}, preemptions_{0};

  std::mutex mu_;  // guards incoming_ and stop_
  std::condition_variable cv_;
  std::vector<SeqPtr> incoming_;
  bool stop_ = false;
  // Owned by the engine thread.
  std::deque<SeqPtr> waiting_;
  std::vector<SeqPtr> running_;
  std::thread thread_;
};

}  // namespace lf::infer
