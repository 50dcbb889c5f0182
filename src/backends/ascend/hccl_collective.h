// Registers HCCL as the collective engine of the npu family.
#pragma once

namespace lf::ascend {

void register_hccl_collective();

}  // namespace lf::ascend
