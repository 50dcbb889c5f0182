#include "state.h"

#include <cstdlib>
#include <algorithm>
#include <cstring>

#include "sim.h"

namespace cann_sim {
namespace {

long env_long(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return *end == '\0' && n >= 0 ? n : fallback;
}

// ASCEND_RT_VISIBLE_DEVICES as the CANN runtime reads it (reference §10.2):
// comma-separated physical ids in ascending order, renumbered from 0; parsing
// stops at the first entry that is not a valid, in-range, ascending id.
std::vector<int> visible_ids(int physical) {
  std::vector<int> ids;
  const char* v = std::getenv("ASCEND_RT_VISIBLE_DEVICES");
  if (!v) {
    for (int i = 0; i < physical; ++i) ids.push_back(i);
    return ids;
  }
  std::string s(v);
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(pos, end - pos);
    if (item.empty() || item.size() > 5 || item.find_first_not_of("0123456789") != std::string::npos)
      break;
    int id = std::atoi(item.c_str());
    if (id >= physical || (!ids.empty() && id <= ids.back())) break;
    ids.push_back(id);
    pos = end + 1;
  }
  return ids;
}

State* make_state() {
  auto* st = new State;
  const char* soc = std::getenv("CANN_SIM_SOC");
  st->soc = soc && *soc ? soc : "Ascend910B2";
  const char* f = std::getenv("CANN_SIM_FAULT");
  std::string list = f ? f : "";
  for (size_t pos = 0; pos <= list.size();) {
    size_t end = std::min(list.find(',', pos), list.size());
    if (end > pos) st->faults.insert(list.substr(pos, end - pos));
    pos = end + 1;
  }
  st->physical_count = static_cast<int>(env_long("CANN_SIM_DEVICES", 2));
  // CANN_SIM_HBM_MB: one size for all devices, or a comma list per physical
  // device (the last entry repeats), e.g. "1024,2048".
  std::vector<size_t> hbm;
  const char* h = std::getenv("CANN_SIM_HBM_MB");
  for (const char* p = h; p && *p;) {
    char* end = nullptr;
    long mb = std::strtol(p, &end, 10);
    if (end == p || mb <= 0) break;
    hbm.push_back(static_cast<size_t>(mb) << 20);
    p = *end == ',' ? end + 1 : end;
  }
  if (hbm.empty()) hbm.push_back(size_t{65536} << 20);
  for (int id : visible_ids(st->physical_count)) {
    DeviceState d;
    d.physical = id;
    d.total = hbm[std::min(static_cast<size_t>(id), hbm.size() - 1)];
    d.default_stream = std::make_unique<Stream>();
    d.default_stream->device = static_cast<int>(st->devices.size());
    st->devices.push_back(std::move(d));
  }
  return st;
}

}  // namespace

State& state() {
  // Never destroyed: device memory may be freed by static destructors elsewhere.
  static State* st = make_state();
  return *st;
}

int& current_device() {
  thread_local int device = -1;
  return device;
}

bool fault_enabled(const std::string& name) { return state().faults.count(name) > 0; }

std::string soc_name() { return state().soc; }

bool is_device_memory(const void* p, size_t bytes) {
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  const char* c = static_cast<const char*>(p);
  auto it = st.allocations.upper_bound(c);
  if (it == st.allocations.begin()) return false;
  --it;
  return c + bytes <= it->first + it->second.size;
}

Stream* find_stream(aclrtStream stream) {
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  Stream* s = static_cast<Stream*>(stream);
  if (!s) {
    int dev = current_device();
    return dev < 0 ? nullptr : st.devices[dev].default_stream.get();
  }
  return st.streams.count(s) ? s : nullptr;
}

aclError enqueue(aclrtStream stream, std::function<void()> work) {
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  Stream* s = static_cast<Stream*>(stream);
  if (!s) {
    int dev = current_device();
    if (dev < 0) return ACL_ERROR_RT_CONTEXT_NULL;
    s = st.devices[dev].default_stream.get();
  } else if (!st.streams.count(s)) {
    return ACL_ERROR_RT_PARAM_INVALID;
  }
  s->queue.push_back(std::move(work));
  return ACL_SUCCESS;
}

aclError drain_until(Stream* s, const std::function<bool()>& reached) {
  // One item at a time: work may wait for an event of another stream whose
  // own work waits for this one (a drain inside a drain goes on in order).
  while (!reached()) {
    std::function<void()> w;
    {
      std::lock_guard<std::mutex> lock(state().mu);
      if (s->queue.empty()) break;
      w = std::move(s->queue.front());
      s->queue.pop_front();
    }
    try {
      w();
    } catch (const Fault& f) {
      {
        // The rest of the stream's work is dropped, as a failed stream's is.
        std::lock_guard<std::mutex> lock(state().mu);
        s->queue.clear();
      }
      set_error(f.message);
      return f.code;
    }
  }
  return ACL_SUCCESS;
}

aclError drain(Stream* s) {
  return drain_until(s, [] { return false; });
}

}  // namespace cann_sim
