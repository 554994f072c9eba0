// RequestError: a failure that the server answers with an HTTP status and {"error": message}
// (400 bad request, 401 unauthorized, 404 unknown model, 413 too large, 429/503 overloaded).
#pragma once

#include <stdexcept>
#include <string>

namespace inlay_serve {

class RequestError : public std::runtime_error {
 public:
  RequestError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

}  // namespace inlay_serve
