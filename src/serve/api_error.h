// An HTTP error answer: its status and the message the client reads. Request
// parsing and the routes throw it; the server turns it into a JSON body.
#pragma once
#include <stdexcept>
#include <string>

namespace lf::serve {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace lf::serve
