// libascendcl: events (signatures: shared/reference/ascend-cann.md §1.2
// "events"). Recording queues a marker on the stream; a stream that waits for
// an event, or a host that synchronizes on it, runs the recording stream's
// work up to that marker (streams run when drained, see state.cpp). Waiting
// for an event never recorded does nothing, as in the real runtime.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "sim.h"
#include "state.h"

namespace {

struct Event {
  cann_sim::Stream* stream = nullptr;  // of the last record
  uint64_t recorded = 0;               // records so far
  std::atomic<uint64_t> completed{0};  // the last record whose marker has run
};

std::mutex g_mu;
std::map<void*, std::shared_ptr<Event>> g_events;

std::shared_ptr<Event> find(aclrtEvent e) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_events.find(e);
  return it == g_events.end() ? nullptr : it->second;
}

// Runs the recording stream until record `target` has completed.
aclError reach(const std::shared_ptr<Event>& ev, cann_sim::Stream* s, uint64_t target) {
  if (target == 0 || !s) return ACL_SUCCESS;
  return cann_sim::drain_until(s, [&] { return ev->completed.load() >= target; });
}

}  // namespace

extern "C" {

aclError aclrtCreateEvent(aclrtEvent* event) {
  if (!event) return ACL_ERROR_INVALID_PARAM;
  if (cann_sim::current_device() < 0) return ACL_ERROR_RT_CONTEXT_NULL;
  auto ev = std::make_shared<Event>();
  std::lock_guard<std::mutex> lock(g_mu);
  *event = ev.get();
  g_events[ev.get()] = std::move(ev);
  return ACL_SUCCESS;
}

aclError aclrtDestroyEvent(aclrtEvent event) {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_events.erase(event) ? ACL_SUCCESS : ACL_ERROR_RT_PARAM_INVALID;
}

aclError aclrtRecordEvent(aclrtEvent event, aclrtStream stream) {
  std::shared_ptr<Event> ev = find(event);
  cann_sim::Stream* s = cann_sim::find_stream(stream);
  if (!ev || !s) return ACL_ERROR_RT_PARAM_INVALID;
  uint64_t mine = ++ev->recorded;
  ev->stream = s;
  return cann_sim::enqueue(stream, [ev, mine] {
    uint64_t seen = ev->completed.load();
    while (seen < mine && !ev->completed.compare_exchange_weak(seen, mine)) {
    }
  });
}

aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event) {
  std::shared_ptr<Event> ev = find(event);
  if (!ev || !cann_sim::find_stream(stream)) return ACL_ERROR_RT_PARAM_INVALID;
  cann_sim::Stream* recorder = ev->stream;
  uint64_t target = ev->recorded;
  return cann_sim::enqueue(stream, [ev, recorder, target] {
    aclError rc = reach(ev, recorder, target);
    if (rc != ACL_SUCCESS) {
      const char* m = aclGetRecentErrMsg();
      throw cann_sim::Fault{rc, m ? m : "the stream an awaited event was recorded on failed"};
    }
  });
}

aclError aclrtSynchronizeEvent(aclrtEvent event) {
  std::shared_ptr<Event> ev = find(event);
  if (!ev) return ACL_ERROR_RT_PARAM_INVALID;
  return reach(ev, ev->stream, ev->recorded);
}

}  // extern "C"
