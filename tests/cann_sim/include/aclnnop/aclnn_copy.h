// CPU-simulated CANN: aclnnop/aclnn_copy.h (prototypes: shared/reference/ascend-cann.md
// Appendix A / §3.1; the standard phase-2 form of §2.3).
#ifndef CANN_SIM_ACLNN_COPY_H_
#define CANN_SIM_ACLNN_COPY_H_
#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

aclnnStatus aclnnInplaceCopyGetWorkspaceSize(aclTensor *selfRef, const aclTensor *src,
    uint64_t *workspaceSize, aclOpExecutor **executor);
aclnnStatus aclnnInplaceCopy(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
    aclrtStream stream);

#ifdef __cplusplus
}
#endif
#endif  // CANN_SIM_ACLNN_COPY_H_
