// The web chat page: one HTML document with its style and script inline, so
// it needs nothing from outside this server (no CDN, fonts or frameworks).
#pragma once
#include <string_view>

namespace lf::serve {

std::string_view webchat_page();

}  // namespace lf::serve
