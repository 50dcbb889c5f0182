// The little HTTP the hubs need, over libcurl: GET a small body (API JSON),
// and stream a file to disk, resuming from a partial one with a Range request.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lf::hub {

struct HttpResult {
  long status = 0;
  std::string body;
};

// Headers are "Name: value" lines. Redirects are followed. A transport
// failure (DNS, refused, timeout) throws lf::Error naming the URL; HTTP
// error statuses are returned for the caller to explain.
HttpResult http_get(const std::string& url, const std::vector<std::string>& headers);

// Appends to `partial` (created when absent), asking for the bytes after its
// current size; a server that ignores the Range gets the file rewritten from
// the start. `on_progress(bytes_in_file)` is called as data arrives. Returns
// the final HTTP status (200/206 on success; the file is then complete).
long http_download(const std::string& url, const std::vector<std::string>& headers,
                   const std::filesystem::path& partial,
                   const std::function<void(int64_t)>& on_progress);

}  // namespace lf::hub
