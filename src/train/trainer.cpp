#include "train/trainer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <optional>

#include "autograd/grad_mode.h"
#include "autograd/random.h"
#include "autograd/tape.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"
#include "core/progress.h"
#include "data/collator.h"
#include "data/dataset.h"
#include "data/vocab.h"
#include "dist/process_group.h"
#include "models/decoder.h"
#include "ops/ops.h"
#include "tokenizer/tokenizer.h"
#include "train/batches.h"
#include "train/checkpoint.h"
#include "train/data_parallel.h"
#include "train/loss_plot.h"
#include "train/loss_scaler.h"
#include "train/lr_scheduler.h"
#include "train/trainable.h"
#include "train/trainer_log.h"

namespace fs = std::filesystem;

namespace lf::train {
namespace {

std::atomic<int> g_signal{0};
extern "C" void on_signal(int sig) { g_signal.store(sig); }

// Catches SIGINT/SIGTERM for the run; the loop checks between steps.
class SignalScope {
 public:
  SignalScope() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// Batches of an epoch: consecutive slices of the seeded order.
std::vector<std::vector<const data::EncodedExample*>> epoch_batches(
    const std::vector<data::EncodedExample>& rows, int64_t batch_size, uint64_t seed,
    uint64_t epoch, bool shuffle) {
  auto order = data::epoch_order(rows.size(), seed, epoch, shuffle);
  std::vector<std::vector<const data::EncodedExample*>> out;
  for (size_t i = 0; i < order.size(); i += static_cast<size_t>(batch_size)) {
    std::vector<const data::EncodedExample*> b;
    for (size_t j = i; j < std::min(order.size(), i + static_cast<size_t>(batch_size)); ++j) {
      b.push_back(&rows[order[j]]);
    }
    out.push_back(std::move(b));
  }
  return out;
}

// transformers' rule for logging_steps / save_steps / eval_steps below 1: a
// fraction of the total steps.
int64_t resolve_interval(double value, int64_t total) {
  if (value <= 0) return 0;
  if (value < 1) return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(value * total)));
  return static_cast<int64_t>(value);
}

// The mean of the evaluation batches' mean losses. In a distributed run rank r
// evaluates batches r, r+W, ... and the sums are reduced, so every rank gets
// the single-process figure.
double evaluate(const models::Decoder& model, const std::vector<data::EncodedExample>& rows,
                const data::CollateOptions& collate, int64_t batch_size, Device device,
                dist::ProcessGroup* group) {
  ag::NoGradGuard no_grad;
  double sum = 0;
  int64_t batches = 0;
  auto all = epoch_batches(rows, batch_size, 0, 0, false);
  const size_t stride = group ? static_cast<size_t>(group->world_size()) : 1;
  const size_t first = group ? static_cast<size_t>(group->rank()) : 0;
  ProgressBar bar("Evaluating", static_cast<int64_t>((all.size() + stride - 1 - first) / stride));
  for (size_t i = first; i < all.size(); i += stride) {
    DeviceBatch b = to_device(data::collate(all[i], collate), device);
    ag::Var loss = model.loss(b.ids, b.labels, b.positions, b.attn, false);
    float v = loss.value().item();
    if (std::isfinite(v)) {
      sum += v;
      batches++;
    }
    bar.update(batches);
  }
  bar.finish();
  if (group) {
    auto r = group->all_reduce_sum({sum, static_cast<double>(batches)});
    sum = r[0];
    batches = static_cast<int64_t>(std::llround(r[1]));
  }
  return batches ? sum / static_cast<double>(batches) : NAN;
}

}  // namespace

int run_train(const hparams::Args& args) {
  TrainPlan plan = plan_training(args);
  const auto& tr = plan.args.training;
  const int world = plan.dist.world_size, rank = plan.dist.rank;
  // Rank 0's log lines also go to output_dir/running_log.txt, as LLaMA-Factory writes them.
  std::optional<log::FileSink> running_log;
  if (rank == 0) {
    fs::create_directories(plan.output_dir);
    running_log.emplace((plan.output_dir / kRunningLog).string());
  }
  log::info("Process rank: ", rank, ", world size: ", world, ", device: ", plan.device.str(),
            ", compute dtype: ", dtype_name(plan.compute_dtype));
  // Every rank has planned (and judged the output directory) before the
  // rendezvous completes, so rank 0's first writes cannot sway another rank.
  std::unique_ptr<dist::ProcessGroup> group;
  if (plan.dist.distributed()) {
    group = std::make_unique<dist::ProcessGroup>(plan.dist, plan.device,
                                                 std::chrono::seconds(tr.ddp_timeout));
    log::info("Process group: ", world, " ranks, collectives through ", group->engine());
  }
  const bool main_rank = rank == 0;

  // ---- data ----
  tok::Tokenizer tokenizer = tok::Tokenizer::load(plan.model_dir.string());
  auto vocab = data::tokenizer_vocab(tokenizer);
  data::DataOptions dopt = data_options(plan);
  const data::TemplateSpec& spec = data::select_template(dopt, *vocab);
  data::ChatTemplate tmpl(spec, *vocab, data::template_options(dopt));
  data::PreparedData prepared = data::prepare_data(dopt, tmpl);
  if (prepared.saved_to_tokenized_path) {
    std::printf("Tokenized dataset is saved at %s.\n", dopt.tokenized_path.c_str());
    std::printf("Please launch the training with `tokenized_path: %s`.\n", dopt.tokenized_path.c_str());
    return 0;
  }
  LF_CHECK(!prepared.train.empty() || !tr.do_train, "no training examples after preprocessing: "
           "check dataset, cutoff_len and the skipped-example messages above");
  log::info("training examples: ", prepared.train.size(), ", evaluation examples: ",
            prepared.eval.size());
  data::CollateOptions collate;
  collate.pad_id = tmpl.pad_id();
  collate.ignore_pad_token_for_loss = dopt.ignore_pad_token_for_loss;
  collate.segment_mask = dopt.neat_packing;

  // ---- model ----
  models::LoadOptions lopt;
  lopt.dtype = plan.compute_dtype;
  lopt.device = plan.device;
  models::Decoder model = models::Decoder::load(plan.model_dir, lopt);
  Trainable trainable = setup_trainable(model, plan);
  if (plan.gradient_checkpointing) log::info("Gradient checkpointing enabled.");
  // total_flos as the HF Trainer estimates it (PreTrainedModel.floating_point_ops):
  // 6 x input_ids.numel() x the parameters outside the embedding table, over
  // every rank's micro-batches.
  int64_t embedding_params = 0;
  for (auto& [name, w] : model.named_weights())
    if (name == "model.embed_tokens.weight") embedding_params += w->value().numel();
  const double flops_per_input_id = 6.0 * static_cast<double>(trainable.all_count - embedding_params);

  AdamWConfig acfg;
  acfg.beta1 = static_cast<float>(tr.adam_beta1);
  acfg.beta2 = static_cast<float>(tr.adam_beta2);
  acfg.eps = static_cast<float>(tr.adam_epsilon);
  acfg.weight_decay = static_cast<float>(tr.weight_decay);
  acfg.max_grad_norm = static_cast<float>(tr.max_grad_norm);
  AdamW optimizer(trainable.params, acfg);

  if (main_rank) fs::create_directories(plan.output_dir);
  if (main_rank && tr.overwrite_output_dir && fs::exists(plan.output_dir / "trainer_log.jsonl")) {
    log::warn("Previous trainer log in this folder will be deleted.");
    fs::remove(plan.output_dir / "trainer_log.jsonl");
  }
  TrainerLog tlog(plan.output_dir);

  if (!tr.do_train) {
    LF_CHECK(tr.do_eval, "nothing to do: set do_train: true (or do_eval: true)");
    LF_CHECK(!prepared.eval.empty(), "do_eval needs evaluation data: set val_size or eval_dataset");
    double eval_loss = evaluate(model, prepared.eval, collate, tr.per_device_eval_batch_size,
                                plan.device, group.get());
    if (main_rank) {
      nlohmann::json metrics = {{"eval_loss", eval_loss}};
      write_file_atomic(plan.output_dir / "eval_results.json", metrics.dump(2) + "\n");
      write_file_atomic(plan.output_dir / "all_results.json", metrics.dump(2) + "\n");
      std::printf("***** eval metrics *****\n  eval_loss = %.4f\n", eval_loss);
    }
    if (group) group->finish();
    return 0;
  }

  // ---- schedule ----
  const int64_t bs = tr.per_device_train_batch_size;
  const int64_t accum = tr.gradient_accumulation_steps;
  LF_CHECK(bs > 0 && accum > 0, "per_device_train_batch_size and gradient_accumulation_steps must be positive");
  // A step consumes the global batch (bs × world) per micro-step, split over ranks.
  const int64_t global_bs = bs * world;
  const int64_t micro_per_epoch = (static_cast<int64_t>(prepared.train.size()) + global_bs - 1) / global_bs;
  const int64_t steps_per_epoch = std::max<int64_t>(1, micro_per_epoch / accum);
  const int64_t total_steps = tr.max_steps > 0
      ? tr.max_steps
      : static_cast<int64_t>(std::ceil(tr.num_train_epochs * static_cast<double>(steps_per_epoch)));
  SchedulerConfig sched;
  sched.type = parse_scheduler(tr.lr_scheduler_type);
  sched.base_lr = tr.learning_rate;
  sched.total_steps = total_steps;
  sched.warmup_steps = resolve_warmup_steps(tr.warmup_steps, tr.warmup_ratio, total_steps);
  const int64_t log_every = resolve_interval(tr.logging_steps, total_steps);
  const int64_t save_every = tr.save_strategy == "steps" ? resolve_interval(tr.save_steps, total_steps) : 0;
  const bool eval_steps_on = tr.eval_strategy == "steps" && !prepared.eval.empty();
  const int64_t eval_every = eval_steps_on ? resolve_interval(tr.eval_steps.value_or(tr.logging_steps), total_steps) : 0;
  const bool shuffle = !plan.args.finetuning.disable_shuffling;
  const uint64_t seed = static_cast<uint64_t>(tr.seed);

  Progress prog;
  prog.world_size = world;
  LossScaler scaler(plan.loss_scaling);
  ag::set_rng_state(seed * 0x9E3779B97F4A7C15ull + 1);
  if (plan.resume_from) {
    nlohmann::json state;
    prog = load_checkpoint(*plan.resume_from, trainable, optimizer, &state);
    LF_CHECK(prog.world_size == world, "checkpoint ", plan.resume_from->string(),
             " was written by a run with ", prog.world_size, " process(es) but this run has ",
             world, ": its data position counts global batches of that world size. Resume with ",
             prog.world_size, " process(es) (devices), or start afresh with overwrite_output_dir: "
             "true or another output_dir");
    tlog.restore(state);
    ag::set_rng_state(prog.dropout_rng);
    scaler.restore(prog.loss_scale, prog.loss_scale_good_steps);
    log::info("Resumed from ", plan.resume_from->string(), " at step ", prog.global_step);
  }

  std::unique_ptr<GradientReducer> reducer;
  if (group) {
    reducer = std::make_unique<GradientReducer>(*group, trainable.params);
    reducer->broadcast_params();
  }

  log::info("***** Running training *****");
  log::info("  Num examples = ", prepared.train.size());
  log::info("  Num Epochs = ", tr.num_train_epochs);
  log::info("  Instantaneous batch size per device = ", bs);
  log::info("  Total train batch size (w. parallel & accumulation) = ", global_bs * accum);
  log::info("  Gradient Accumulation steps = ", accum);
  log::info("  Total optimization steps = ", total_steps);
  log::info("  Number of trainable parameters = ", trainable.trainable_count);

  SignalScope signals;
  ProgressBar bar("Training", total_steps, "it");
  auto epoch_of = [&](const Progress& p) {
    return static_cast<double>(p.epoch) +
           static_cast<double>(p.micro_in_epoch) / static_cast<double>(std::max<int64_t>(1, micro_per_epoch));
  };
  auto trainer_state = [&](const Progress& p) {
    nlohmann::json s = tlog.trainer_state(p.global_step, total_steps, epoch_of(p), tr.num_train_epochs,
                                          log_every, save_every, bs);
    s["total_flos"] = p.total_flos;
    return s;
  };

  std::vector<std::vector<const data::EncodedExample*>> batches =
      epoch_batches(prepared.train, global_bs, seed, static_cast<uint64_t>(prog.epoch), shuffle);
  double window_loss = 0;
  int64_t window_steps = 0, window_tokens = 0;
  double train_loss_sum = 0;
  int64_t train_loss_steps = 0;
  auto window_start = std::chrono::steady_clock::now();
  const auto loop_start = window_start;
  int interrupted = 0;

  while (prog.global_step < total_steps) {
    double step_loss = 0;
    int64_t step_tokens = 0, step_ids = 0;
    for (int64_t micro = 0; micro < accum; ++micro) {
      if (prog.micro_in_epoch >= static_cast<int64_t>(batches.size())) {
        prog.epoch++;
        prog.micro_in_epoch = 0;
        batches = epoch_batches(prepared.train, global_bs, seed, static_cast<uint64_t>(prog.epoch), shuffle);
      }
      const Rows& global = batches[static_cast<size_t>(prog.micro_in_epoch)];
      prog.micro_in_epoch++;
      Rows mine = group ? rank_slice(global, rank, bs) : global;
      // This rank's mean loss weighs its share of the global batch's loss
      // tokens (every rank can count every slice), so the summed gradient is
      // the single-process one. A rank whose slice of a short last batch is
      // empty still runs (weight 0) to take part in the reduction.
      double weight = 1.0;
      const bool filler = mine.empty();
      if (filler) mine = Rows{global.front()};
      data::Batch host = data::collate(mine, collate);
      if (group) {
        int64_t all_tokens = 0;
        for (int r = 0; r < world; ++r) {
          Rows part = rank_slice(global, r, bs);
          if (!part.empty()) all_tokens += loss_tokens(data::collate(part, collate));
        }
        weight = filler || all_tokens == 0
                     ? 0.0 : static_cast<double>(loss_tokens(host)) / static_cast<double>(all_tokens);
      }
      DeviceBatch b = to_device(host, plan.device);
      ag::Var loss = model.loss(b.ids, b.labels, b.positions, b.attn, plan.gradient_checkpointing);
      // Each micro-batch's mean loss weighs 1/accum, as the HF Trainer does
      // (times the loss scale in fp16; the optimiser divides it out again).
      float seed_grad = static_cast<float>(scaler.scale() * weight / static_cast<double>(accum));
      Tensor seed_t = ops::full({1}, seed_grad, DType::f32, loss.value().device());
      // Only the last micro-batch's gradients are reduced (DDP's no_sync for
      // the others); its backward starts the reduction as gradients finish.
      if (reducer && micro == accum - 1) reducer->backward(loss, seed_t);
      else ag::backward(loss, seed_t);
      if (weight > 0) step_loss += loss.value().item() * weight / static_cast<double>(accum);
      if (!filler) {
        step_tokens += b.tokens;
        step_ids += b.ids.numel();
      }
    }
    bool group_stops = false;
    if (group) {
      reducer->all_reduce();
      // The logged loss and token count are the whole group's; a signal on
      // any rank stops every rank at the same step. A signal that lands
      // after this reduction waits for the next one, or the ranks would part.
      auto r = group->all_reduce_sum({step_loss, static_cast<double>(step_tokens),
                                      static_cast<double>(g_signal.load()), static_cast<double>(step_ids)});
      step_loss = r[0];
      step_tokens = std::llround(r[1]);
      group_stops = r[2] > 0;
      step_ids = std::llround(r[3]);
      if (group_stops && g_signal.load() == 0) g_signal.store(SIGTERM);
    }
    double lr = learning_rate_at(sched, prog.global_step);
    float grad_norm = optimizer.step(static_cast<float>(lr), static_cast<float>(1.0 / scaler.scale()));
    if (!std::isfinite(grad_norm)) {
      log::warn("step ", prog.global_step + 1, ": non-finite gradient, update skipped",
                scaler.enabled() ? " (fp16 overflow: the loss scale is halved)" : "");
    }
    scaler.update(std::isfinite(grad_norm));
    prog.loss_scale = scaler.scale();
    prog.loss_scale_good_steps = scaler.good_steps();
    prog.global_step++;
    prog.total_tokens += step_tokens;
    prog.total_flos += flops_per_input_id * static_cast<double>(step_ids);
    prog.dropout_rng = ag::rng_state();
    window_loss += step_loss;
    window_steps++;
    window_tokens += step_tokens;
    train_loss_sum += step_loss;
    train_loss_steps++;

    char postfix[96];
    std::snprintf(postfix, sizeof postfix, "loss=%.4f, lr=%.2e", step_loss, lr);
    bar.update(prog.global_step, postfix);

    if (log_every > 0 && (prog.global_step % log_every == 0 || prog.global_step == total_steps)) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start).count();
      LogEntry e;
      e.step = prog.global_step;
      e.total_steps = total_steps;
      e.epoch = epoch_of(prog);
      e.loss = window_loss / static_cast<double>(window_steps);
      e.grad_norm = grad_norm;
      e.lr = learning_rate_at(sched, prog.global_step);
      e.throughput = secs > 0 ? static_cast<double>(window_tokens) / secs : 0.0;
      e.total_tokens = prog.total_tokens;
      e.elapsed_seconds = bar.elapsed_seconds();
      e.remaining_seconds = bar.remaining_seconds();
      if (main_rank) tlog.log(e);
      window_loss = 0;
      window_steps = 0;
      window_tokens = 0;
      window_start = std::chrono::steady_clock::now();
    }
    if (eval_every > 0 && prog.global_step % eval_every == 0) {
      LogEntry e;
      e.step = prog.global_step;
      e.total_steps = total_steps;
      e.epoch = epoch_of(prog);
      e.eval_loss = evaluate(model, prepared.eval, collate, tr.per_device_eval_batch_size,
                             plan.device, group.get());
      e.elapsed_seconds = bar.elapsed_seconds();
      e.remaining_seconds = bar.remaining_seconds();
      if (main_rank) tlog.log(e);
      log::info("step ", prog.global_step, ": eval_loss = ", *e.eval_loss);
    }
    interrupted = !group || group_stops ? g_signal.load() : 0;
    bool at_save = save_every > 0 && prog.global_step % save_every == 0 && prog.global_step < total_steps;
    if (at_save || interrupted) {
      fs::path ck = plan.output_dir / ("checkpoint-" + std::to_string(prog.global_step));
      if (main_rank) ck = save_checkpoint(model, trainable, optimizer, prog, trainer_state(prog), plan);
      if (interrupted) {
        bar.finish();
        if (group) group->finish();  // no rank leaves before rank 0 has saved
        log::warn("Interrupted by signal ", interrupted, ": checkpoint saved to ", ck.string(),
                  ". Run the same command again to resume.");
        return 128 + interrupted;
      }
    }
  }
  bar.finish();

  const double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_start).count();

  // ---- outputs (rank 0 writes; every rank takes part in the evaluation) ----
  std::optional<double> final_eval;
  if (tr.do_eval && !prepared.eval.empty()) {
    final_eval = evaluate(model, prepared.eval, collate, tr.per_device_eval_batch_size, plan.device,
                          group.get());
  }
  if (group) log::info(reduction_summary(*reducer, train_seconds));
  if (!main_rank) {
    group->finish();
    return 0;
  }
  save_model_files(plan.output_dir, model, trainable, plan);
  write_file_atomic(plan.output_dir / "trainer_state.json", trainer_state(prog).dump(2) + "\n");
  nlohmann::json results = {
      {"epoch", epoch_of(prog)},
      {"total_flos", prog.total_flos},
      {"train_loss", train_loss_steps ? train_loss_sum / static_cast<double>(train_loss_steps) : 0.0},
      {"train_runtime", bar.elapsed_seconds()},
      {"train_samples_per_second", bar.elapsed_seconds() > 0 ? static_cast<double>(prog.global_step * global_bs * accum) / bar.elapsed_seconds() : 0.0},
      {"train_steps_per_second", bar.elapsed_seconds() > 0 ? static_cast<double>(prog.global_step) / bar.elapsed_seconds() : 0.0},
  };
  write_file_atomic(plan.output_dir / "train_results.json", results.dump(2) + "\n");
  nlohmann::json all = results;
  if (final_eval) {
    all["eval_loss"] = *final_eval;
    write_file_atomic(plan.output_dir / "eval_results.json", nlohmann::json({{"eval_loss", *final_eval}}).dump(2) + "\n");
  }
  write_file_atomic(plan.output_dir / "all_results.json", all.dump(2) + "\n");
  std::printf("***** train metrics *****\n");
  for (auto& [k, v] : all.items()) std::printf("  %s = %s\n", k.c_str(), v.dump().c_str());

  if (plan.args.finetuning.plot_loss) {
    for (const char* key : {"loss", "eval_loss"}) {
      std::vector<double> steps, values;
      tlog.series(key, &steps, &values);
      if (steps.empty()) continue;
      std::string file = std::string(key) == "loss" ? "training_loss.png" : "training_eval_loss.png";
      plot_loss((plan.output_dir / file).string(), "training " + std::string(key) + " of " +
                plan.output_dir.string(), key, steps, values);
      log::info("Figure saved at: ", (plan.output_dir / file).string());
    }
  }
  log::info("Model saved to ", plan.output_dir.string());
  if (group) group->finish();
  return 0;
}

}  // namespace lf::train
