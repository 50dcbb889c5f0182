// An HCCL communicator for one rank (one NPU per process or thread), behind a
// vendor-free interface for dist/: the root rank makes the root info, every
// rank receives it out of band, then all construct a communicator with it.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"

namespace lf::ascend {

// The HCCL root info blob (HCCL_ROOT_INFO_BYTES) made on npu:`device` of the root rank.
std::vector<char> hccl_root_info(int device);

class HcclCommunicator {
 public:
  // Joins the group: nranks ranks, this one is `rank`, on npu:`device`. Before
  // initialising it looks for processes holding the NPU (npu-smi) and warns;
  // an HCCP initialisation failure (EJ0001) names them with the remedy.
  HcclCommunicator(int nranks, const std::vector<char>& root_info, int rank, int device);
  ~HcclCommunicator();
  HcclCommunicator(const HcclCommunicator&) = delete;
  HcclCommunicator& operator=(const HcclCommunicator&) = delete;

  // In place on contiguous tensors of this rank's NPU, queued on `stream`
  // (an aclrtStream; null: the NPU's compute stream).
  void all_reduce_sum(Tensor& t, void* stream = nullptr);
  void broadcast(Tensor& t, int root, void* stream = nullptr);

 private:
  void* queue(void* stream) const;  // the aclrtStream to queue on
  void* comm_ = nullptr;  // HcclComm
  int device_;
};

}  // namespace lf::ascend
