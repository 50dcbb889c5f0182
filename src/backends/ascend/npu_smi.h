// Processes holding NPUs, from the process table of `npu-smi info` (layout:
// shared/reference/ascend-cann.md §6). An earlier training process that still
// holds an NPU is what makes HCCL initialisation fail with EJ0001 ("Failed to
// initialize the HCCP process"), so it is looked for before HCCL starts.
#pragma once
#include <string>
#include <vector>

namespace lf::ascend {

struct NpuProcess {
  int npu = 0;          // physical NPU id, as npu-smi numbers them
  long pid = 0;
  std::string name;     // may be empty (another PID namespace)
  long memory_mb = 0;
};

// Rows of the process table; "No running processes found in NPU n" rows are skipped.
std::vector<NpuProcess> parse_npu_smi_processes(const std::string& npu_smi_info);

// Holders of the given physical NPUs other than this process, described for a
// user ("NPU 3: pid 927000 (python3.8, 17400 MB, still running)"); empty when
// none or when npu-smi is unavailable.
std::vector<std::string> npu_holders(const std::vector<int>& physical_npus);
// The same from a given `npu-smi info` text (for tests).
std::vector<std::string> npu_holders(const std::string& npu_smi_info,
                                     const std::vector<int>& physical_npus, long self_pid);

}  // namespace lf::ascend
