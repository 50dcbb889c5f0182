// libascendcl's process state: configuration from CANN_SIM_* variables, the
// visible devices, memory accounting, streams. Internal to the simulator.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "acl/acl.h"

namespace cann_sim {

struct Stream {
  int device = 0;  // visible index
  std::deque<std::function<void()>> queue;
};

struct DeviceState {
  int physical = 0;
  size_t total = 0;
  size_t used = 0;
  std::unique_ptr<Stream> default_stream;
};

struct Allocation {
  int device;
  size_t size;  // as accounted: aligned to 32 and padded with 32
};

struct State {
  std::mutex mu;
  bool initialized = false;
  std::string soc;
  std::set<std::string> faults;  // entries of CANN_SIM_FAULT (comma-separated)
  int physical_count = 0;
  std::vector<DeviceState> devices;  // visible devices, renumbered from 0
  std::map<const char*, Allocation, std::less<>> allocations;
  std::map<Stream*, std::unique_ptr<Stream>> streams;
};

State& state();
// The calling thread's device (aclrtSetDevice), -1 when none.
int& current_device();
// Runs a stream's queued work; the first Fault stops it and is returned as
// ACL status with its message recorded.
aclError drain(Stream* s);
// The same, stopping as soon as `reached()` holds (an event has completed).
aclError drain_until(Stream* s, const std::function<bool()>& reached);
// The stream a handle names (null: the current device's default stream);
// nullptr when there is none.
Stream* find_stream(aclrtStream stream);

}  // namespace cann_sim
