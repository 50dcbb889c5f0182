#include "infer/batch_engine.h"

#include <algorithm>
#include <cstdlib>
#include <random>

#include "core/error.h"
#include "core/log.h"
#include "ops/ops.h"

namespace lf::infer {

namespace {

// A positive integer from the environment, or `fallback` when unset.
int64_t env_positive(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  LF_CHECK(end && *end == '\0' && n > 0, name, "=", v, " is not a positive integer");
  return n;
}

EngineOptions resolve(EngineOptions o) {
  if (o.max_batch <= 0) o.max_batch = env_positive("LLAMAFACTORY_MAX_BATCH", 32);
  LF_CHECK(o.block_size > 0, "engine: block_size must be positive, got ", o.block_size);
  if (o.kv_cache_bytes <= 0) o.kv_cache_bytes = env_positive("LLAMAFACTORY_KV_CACHE_MB", 1024) << 20;
  if (o.prefill_tokens_per_step <= 0) o.prefill_tokens_per_step = 1;
  return o;
}

// The budget's blocks, capped at what max_batch full-context sequences could
// use, and never less than one full context: then any sequence the context
// allows fits once it runs alone.
int64_t pool_blocks(const EngineOptions& o, const models::Decoder& model) {
  const models::ModelSpec& spec = model.spec();
  const int64_t budget = models::PagedKvCache::blocks_for_bytes(spec, o.kv_cache_bytes, o.block_size, model.dtype());
  const int64_t context = (spec.max_position_embeddings + o.block_size - 1) / o.block_size;
  return std::max(std::min(budget, o.max_batch * context), context);
}

}  // namespace

// ---- Generation ----

bool Generation::next(std::vector<int32_t>& out) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return done_ || !pending_.empty(); });
  if (!pending_.empty()) {
    out.insert(out.end(), pending_.begin(), pending_.end());
    pending_.clear();
    return true;
  }
  LF_CHECK(error_.empty(), error_);
  return false;
}

std::string Generation::finish_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reason_;
}

void Generation::push(int32_t id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(id);
  }
  cv_.notify_all();
}

void Generation::finish(const std::string& reason, const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    reason_ = reason;
    error_ = error;
  }
  cv_.notify_all();
}

// ---- BatchEngine ----

struct BatchEngine::Sequence {
  std::shared_ptr<Generation> out;
  std::vector<int64_t> tokens;  // prompt + generated: fed to the model and to the repetition penalty
  int64_t budget = 0, generated = 0;
  int64_t cached = 0;           // leading tokens whose keys and values are in the cache
  std::vector<int32_t> blocks;
  ops::SamplingParams sampling;
  std::vector<int32_t> stop_ids;
  std::mt19937_64 rng;
};

BatchEngine::BatchEngine(const models::Decoder& model, EngineOptions options)
    : model_(model),
      options_(resolve(options)),
      cache_(model.make_paged_cache(pool_blocks(options_, model), options_.block_size)) {
  total_blocks_ = cache_.num_blocks();
  free_blocks_ = cache_.free_blocks();
  thread_ = std::thread([this] { loop(); });
}

BatchEngine::~BatchEngine() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::shared_ptr<Generation> BatchEngine::submit(const std::vector<int32_t>& prompt,
                                                const GenerateOptions& options) {
  LF_CHECK(!prompt.empty(), "generate: the prompt is empty");
  // Sliding-window attention is not implemented, so the window bounds a
  // sequence like the context does (the decoder refuses longer ones).
  const models::ModelSpec& spec = model_.spec();
  const int64_t context = spec.sliding_window ? std::min(spec.max_position_embeddings, *spec.sliding_window)
                                              : spec.max_position_embeddings;
  const int64_t plen = static_cast<int64_t>(prompt.size());
  LF_CHECK(plen < context, "the prompt has ", plen, " tokens but the model's context is ", context,
           ": shorten the conversation");
  const ops::SamplingParams& sp = options.sampling;
  LF_CHECK(sp.temperature >= 0.0f, "temperature must be >= 0, got ", sp.temperature);
  LF_CHECK(sp.top_p > 0.0f && sp.top_p <= 1.0f, "top_p must be in (0, 1], got ", sp.top_p);
  LF_CHECK(sp.top_k >= 0, "top_k must be >= 0 (0 = no limit), got ", sp.top_k);
  LF_CHECK(sp.repetition_penalty > 0.0f, "repetition_penalty must be > 0, got ", sp.repetition_penalty);
  auto s = std::make_unique<Sequence>();
  s->out = std::make_shared<Generation>();
  s->out->prompt_tokens_ = plen;
  s->tokens.assign(prompt.begin(), prompt.end());
  // The pool holds a full context (pool_blocks), so a sequence within the
  // context always fits once it runs alone.
  s->budget = std::min<int64_t>(options.max_new_tokens, context - plen);
  s->sampling = effective_sampling(options.sampling);
  s->stop_ids = options.stop_ids;
  s->rng.seed(options.seed);
  std::shared_ptr<Generation> g = s->out;
  if (s->budget <= 0) {
    g->finish("length");
    return g;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    LF_CHECK(!stop_, "the generation engine is shutting down");
    incoming_.push_back(std::move(s));
  }
  cv_.notify_all();
  return g;
}

void BatchEngine::finish(Sequence& s, const std::string& reason, const std::string& error) {
  cache_.release(s.blocks);
  free_blocks_ = cache_.free_blocks();
  s.cached = 0;
  s.out->finish(reason, error);
}

bool BatchEngine::emit(Sequence& s, const Tensor& logits_row) {
  if (s.out->cancelled_) {
    finish(s, "stop");
    return true;
  }
  const int64_t next = ops::sample(logits_row, s.sampling, s.tokens, s.rng);
  const int32_t id = static_cast<int32_t>(next);
  if (std::find(s.stop_ids.begin(), s.stop_ids.end(), id) != s.stop_ids.end()) {
    finish(s, "stop");
    return true;
  }
  s.tokens.push_back(next);
  s.out->push(id);
  if (++s.generated == s.budget) {
    finish(s, "length");
    return true;
  }
  return false;
}

void BatchEngine::loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !incoming_.empty() || !waiting_.empty() || !running_.empty(); });
      if (stop_) break;
      for (SeqPtr& s : incoming_) waiting_.push_back(std::move(s));
      incoming_.clear();
    }
    drop_cancelled();
    admit();
    decode_step();
  }
  const std::string why = "the generation engine was shut down";
  for (SeqPtr& s : running_) finish(*s, "stop", why);
  for (SeqPtr& s : waiting_) finish(*s, "stop", why);
  std::lock_guard<std::mutex> lock(mu_);
  for (SeqPtr& s : incoming_) finish(*s, "stop", why);
  free_blocks_ = cache_.free_blocks();
}

void BatchEngine::drop_cancelled() {
  auto drop = [&](auto& seqs) {
    for (auto it = seqs.begin(); it != seqs.end();) {
      if ((*it)->out->cancelled_) {
        finish(**it, "stop");
        it = seqs.erase(it);
      } else {
        ++it;
      }
    }
  };
  drop(waiting_);
  drop(running_);
}

// Prefills waiting sequences (oldest first) while batch slots and free blocks
// allow, up to prefill_tokens_per_step prompt tokens so running streams are
// not stalled for long by a burst of long prompts.
void BatchEngine::admit() {
  int64_t admitted = 0;
  while (!waiting_.empty() && static_cast<int64_t>(running_.size()) < options_.max_batch) {
    Sequence& s = *waiting_.front();
    const int64_t n = static_cast<int64_t>(s.tokens.size());
    if (admitted > 0 && admitted + n > options_.prefill_tokens_per_step) break;
    // Leave a block per running sequence for its next token, so admitting
    // does not force a preemption right away (and a re-prefill after it).
    const int64_t spare = cache_.free_blocks() - cache_.blocks_for(n);
    if (!running_.empty() && spare < static_cast<int64_t>(running_.size())) break;
    if (!cache_.reserve(s.blocks, n)) break;
    free_blocks_ = cache_.free_blocks();
    admitted += n;
    SeqPtr seq = std::move(waiting_.front());
    waiting_.pop_front();
    try {
      std::vector<int64_t> ids(seq->tokens.begin(), seq->tokens.end());
      Tensor logits = model_.forward_paged(Tensor::from_ints(ids, {1, n}, DType::i32, model_.device()),
                                           {0}, {&seq->blocks}, cache_);
      seq->cached = n;
      if (!emit(*seq, logits.select(0, 0))) running_.push_back(std::move(seq));
    } catch (const std::exception& e) {
      finish(*seq, "stop", e.what());
    }
  }
}

// One token for every running sequence. A sequence that needs a block when
// none is free makes the youngest running one give its blocks back; that one
// waits at the head of the queue and is recomputed from its tokens later.
void BatchEngine::decode_step() {
  for (size_t i = 0; i < running_.size();) {
    Sequence& s = *running_[i];
    if (cache_.reserve(s.blocks, s.cached + 1)) {
      ++i;
      continue;
    }
    SeqPtr victim = std::move(running_.back());
    running_.pop_back();
    cache_.release(victim->blocks);
    victim->cached = 0;
    waiting_.push_front(std::move(victim));
    ++preemptions_;
  }
  free_blocks_ = cache_.free_blocks();
  if (running_.empty()) return;
  const int64_t B = static_cast<int64_t>(running_.size());
  if (B > peak_batch_) peak_batch_ = B;
  std::vector<int64_t> ids(static_cast<size_t>(B)), starts(static_cast<size_t>(B));
  std::vector<const std::vector<int32_t>*> tables(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b) {
    const Sequence& s = *running_[static_cast<size_t>(b)];
    ids[static_cast<size_t>(b)] = s.tokens.back();
    starts[static_cast<size_t>(b)] = s.cached;
    tables[static_cast<size_t>(b)] = &s.blocks;
  }
  Tensor logits;
  try {
    logits = model_.forward_paged(Tensor::from_ints(ids, {B, 1}, DType::i32, model_.device()),
                                  starts, tables, cache_);
  } catch (const std::exception& e) {
    log::error("decode step failed: ", e.what());
    for (SeqPtr& s : running_) finish(*s, "stop", e.what());
    running_.clear();
    return;
  }
  std::vector<SeqPtr> still;
  for (int64_t b = 0; b < B; ++b) {
    SeqPtr& s = running_[static_cast<size_t>(b)];
    s->cached += 1;
    try {
      if (!emit(*s, logits.select(0, b))) still.push_back(std::move(s));
    } catch (const std::exception& e) {
      finish(*s, "stop", e.what());
    }
  }
  running_ = std::move(still);
}

}  // namespace lf::infer
