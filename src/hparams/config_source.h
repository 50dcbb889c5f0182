// Reads settings from a YAML or JSON config file and from command-line
// overrides, keeping their order so that later settings win.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "hparams/raw_value.h"

namespace lf::hparams {

// True when `arg` names a config file by its extension (.yaml, .yml, .json).
bool is_config_path(const std::string& arg);

// Top-level mapping of a YAML (.yaml/.yml) or JSON (.json) file.
std::vector<RawSetting> read_config_file(const std::string& path);

// `key=value`, `--key value`, `--key=value` and bare `--flag` (true).
// `is_bool(key)` tells whether a bare flag may omit its value.
std::vector<RawSetting> read_overrides(const std::vector<std::string>& args, size_t first,
                                       const std::function<bool(const std::string&)>& is_bool);

// A scalar typed on the command line: `null` and `~` are null, as OmegaConf reads them.
RawValue command_line_value(const std::string& text);

}  // namespace lf::hparams
