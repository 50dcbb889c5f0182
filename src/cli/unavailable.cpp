#include "cli/unavailable.h"

#include "core/error.h"
#include "hparams/args.h"

namespace lf::cli {

void refuse_unavailable(const char* command, const std::vector<std::string>& args,
                        uint32_t groups) {
  if (!args.empty()) hparams::parse_args(args, groups);
  fail("`llamafactory-cli ", command, "` is not available in this build yet",
       args.empty() ? "" : " (the configuration given was checked and is valid)",
       ". Run `llamafactory-cli help` for the commands this build provides.");
}

}  // namespace lf::cli
