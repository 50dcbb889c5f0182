#include "hub/http.h"

#include <curl/curl.h>

#include <cstdio>
#include <mutex>

#include "core/error.h"

namespace lf::hub {

namespace fs = std::filesystem;

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One easy handle with the settings every request shares.
class Request {
 public:
  Request(const std::string& url, const std::vector<std::string>& headers) : url_(url) {
    global_init();
    curl_ = curl_easy_init();
    LF_CHECK(curl_, "cannot initialise libcurl");
    for (const auto& h : headers) list_ = curl_slist_append(list_, h.c_str());
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list_);
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "llamafactory.cpp");
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 30L);
    // Abort a stalled transfer (under 1 byte/s for 60 s) instead of hanging.
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  }
  ~Request() {
    curl_slist_free_all(list_);
    curl_easy_cleanup(curl_);
  }
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;
  CURL* get() { return curl_; }
  long perform() {
    CURLcode rc = curl_easy_perform(curl_);
    LF_CHECK(rc == CURLE_OK, "network error fetching ", url_, ": ", curl_easy_strerror(rc),
             " (check the connection, set HF_ENDPOINT to a mirror, or HF_HUB_OFFLINE=1 to use "
             "the local cache)");
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return status;
  }

 private:
  std::string url_;
  CURL* curl_ = nullptr;
  curl_slist* list_ = nullptr;
};

size_t to_string(char* p, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(p, size * n);
  return size * n;
}

struct Sink {
  std::FILE* file = nullptr;
  fs::path path;
  int64_t offset = 0;  // bytes already in the file before this response
  int64_t written = 0;
  long status = 0;     // known once the first body byte arrives
  CURL* curl = nullptr;
  const std::function<void(int64_t)>* progress = nullptr;
};

size_t to_file(char* p, size_t size, size_t n, void* user) {
  Sink& s = *static_cast<Sink*>(user);
  if (s.status == 0) {
    curl_easy_getinfo(s.curl, CURLINFO_RESPONSE_CODE, &s.status);
    if (s.status == 200 && s.offset > 0) {  // Range ignored: the body is the whole file
      s.file = std::freopen(s.path.c_str(), "wb", s.file);
      s.offset = 0;
    }
  }
  if (s.status != 200 && s.status != 206) return size * n;  // an error page: not file data
  if (!s.file || std::fwrite(p, 1, size * n, s.file) != size * n) return 0;  // aborts
  s.written += static_cast<int64_t>(size * n);
  if (*s.progress) (*s.progress)(s.offset + s.written);
  return size * n;
}

}  // namespace

HttpResult http_get(const std::string& url, const std::vector<std::string>& headers) {
  Request r(url, headers);
  HttpResult out;
  curl_easy_setopt(r.get(), CURLOPT_WRITEFUNCTION, to_string);
  curl_easy_setopt(r.get(), CURLOPT_WRITEDATA, &out.body);
  out.status = r.perform();
  return out;
}

long http_download(const std::string& url, const std::vector<std::string>& headers,
                   const fs::path& partial, const std::function<void(int64_t)>& on_progress) {
  Sink sink;
  sink.path = partial;
  sink.offset = fs::exists(partial) ? static_cast<int64_t>(fs::file_size(partial)) : 0;
  sink.file = std::fopen(partial.c_str(), "ab");
  LF_CHECK(sink.file, "cannot write ", partial.string());
  sink.progress = &on_progress;
  std::vector<std::string> all = headers;
  if (sink.offset > 0) all.push_back("Range: bytes=" + std::to_string(sink.offset) + "-");
  Request r(url, all);
  sink.curl = r.get();
  curl_easy_setopt(r.get(), CURLOPT_WRITEFUNCTION, to_file);
  curl_easy_setopt(r.get(), CURLOPT_WRITEDATA, &sink);
  long status = 0;
  try {
    status = r.perform();
  } catch (...) {
    if (sink.file) std::fclose(sink.file);
    throw;
  }
  const bool closed = sink.file && std::fclose(sink.file) == 0;
  LF_CHECK(closed, "cannot write ", partial.string());
  // 416: the partial file already holds every byte.
  return status == 416 && sink.offset > 0 ? 206 : status;
}

}  // namespace lf::hub
