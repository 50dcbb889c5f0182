#include "core/host_runtime.h"

#include <sched.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace lf {
namespace {

class HostRuntime final : public DeviceRuntime {
 public:
  DeviceType type() const override { return DeviceType::cpu; }
  int device_count() override { return 1; }
  DeviceInfo info(int) override {
    DeviceInfo d;
    d.name = cpu_features().model;
    std::ifstream f("/proc/meminfo");
    std::string key;
    size_t kb;
    std::string unit;
    while (f >> key >> kb >> unit) {
      if (key == "MemTotal:") d.total_bytes = kb * 1024;
      if (key == "MemAvailable:") d.free_bytes = kb * 1024;
    }
    return d;
  }
  std::vector<std::pair<std::string, std::string>> env_lines() override { return {}; }
  void* raw_alloc(int, size_t bytes) override {
    // 64-byte alignment suits AVX-512 loads and every vendor's host-copy rules.
    size_t rounded = (bytes + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, rounded ? rounded : 64);
    LF_CHECK(p, "out of host memory allocating ", bytes, " bytes: reduce batch size or cutoff_len");
    return p;
  }
  void raw_free(int, void* p) override { std::free(p); }
  void copy_from_host(int, void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
  void copy_to_host(int, void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
  void copy_on_device(int, void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
  void synchronize(int) override {}
  void copy_strided(int, void* dst, const void* src_base, DType dtype,
                    const std::vector<int64_t>& shape, const std::vector<int64_t>& strides,
                    int64_t offset) override {
    host_copy_strided(dst, src_base, dtype, shape, strides, offset);
  }
  void convert(int, void* dst, DType dt, const void* src, DType st, size_t n) override {
    convert_elements(src, st, dst, dt, n);
  }
};

CpuFeatures detect() {
  CpuFeatures f;
  cpu_set_t set;
  CPU_ZERO(&set);
  f.cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  std::string flags;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    std::string val = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (f.model.empty() && (key == "model name" || key == "Model" || key == "CPU part")) f.model = val;
    if (flags.empty() && (key == "flags" || key == "Features")) flags = " " + val + " ";
  }
  auto has = [&](const char* w) { return flags.find(std::string(" ") + w + " ") != std::string::npos; };
  f.avx2 = has("avx2");
  f.avx512f = has("avx512f");
  f.avx512_bf16 = has("avx512_bf16");
  f.amx = has("amx_bf16") || has("amx_tile");
#if defined(__aarch64__)
  f.neon = true;
#endif
  if (f.model.empty()) f.model = "unknown";
  return f;
}

}  // namespace

std::string CpuFeatures::isa_flags() const {
  std::ostringstream os;
  const char* sep = "";
  auto add = [&](bool on, const char* name) {
    if (on) { os << sep << name; sep = " "; }
  };
  add(avx2, "avx2");
  add(avx512f, "avx512f");
  add(avx512_bf16, "avx512_bf16");
  add(amx, "amx");
  add(neon, "neon");
  std::string s = os.str();
  return s.empty() ? "baseline" : s;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

void host_copy_strided(void* dst, const void* src_base, DType dtype,
                       const std::vector<int64_t>& shape, const std::vector<int64_t>& strides,
                       int64_t offset) {
  const size_t es = dtype_size(dtype);
  const size_t nd = shape.size();
  int64_t total = 1;
  for (int64_t s : shape) total *= s;
  if (total == 0) return;
  auto* out = static_cast<char*>(dst);
  const auto* in = static_cast<const char*>(src_base);
  if (nd == 0) {
    std::memcpy(out, in + offset * es, es);
    return;
  }
  // Copy runs along the last dimension; when it is contiguous use memcpy.
  const int64_t inner = shape[nd - 1];
  const int64_t inner_stride = strides[nd - 1];
  std::vector<int64_t> idx(nd, 0);
  for (int64_t done = 0; done < total; done += inner) {
    int64_t src = offset;
    for (size_t d = 0; d + 1 < nd; ++d) src += idx[d] * strides[d];
    if (inner_stride == 1) {
      std::memcpy(out, in + src * es, inner * es);
      out += inner * es;
    } else {
      for (int64_t i = 0; i < inner; ++i, out += es) std::memcpy(out, in + (src + i * inner_stride) * es, es);
    }
    for (int64_t d = static_cast<int64_t>(nd) - 2; d >= 0; --d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

std::unique_ptr<DeviceRuntime> make_host_runtime() { return std::make_unique<HostRuntime>(); }

}  // namespace lf
