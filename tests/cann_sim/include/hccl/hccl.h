// CPU-simulated CANN: hccl/hccl.h — the communicator functions used
// (signatures: shared/reference/ascend-cann.md §4.1).
#ifndef CANN_SIM_HCCL_H_
#define CANN_SIM_HCCL_H_
#include "acl/acl_base.h"
#include "hccl/hccl_types.h"

#ifdef __cplusplus
extern "C" {
#endif

HcclResult HcclGetRootInfo(HcclRootInfo *rootInfo);
HcclResult HcclCommInitRootInfo(uint32_t nRanks, const HcclRootInfo *rootInfo, uint32_t rank,
                                HcclComm *comm);
HcclResult HcclAllReduce(void *sendBuf, void *recvBuf, uint64_t count, HcclDataType dataType,
                         HcclReduceOp op, HcclComm comm, aclrtStream stream);
HcclResult HcclBroadcast(void *buf, uint64_t count, HcclDataType dataType, uint32_t root,
                         HcclComm comm, aclrtStream stream);
HcclResult HcclCommDestroy(HcclComm comm);

#ifdef __cplusplus
}
#endif
#endif  // CANN_SIM_HCCL_H_
