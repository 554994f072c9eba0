// inlay::Error: the one exception type of the library, with a kind and a message that names
// what went wrong and where.
#ifndef INLAY_CORE_ERROR_HPP
#define INLAY_CORE_ERROR_HPP

#include <exception>
#include <string>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN

enum class ErrorKind {
  invalid_model,     // a model file or graph that breaks the format or its own rules
  unsupported_op,    // an operator, attribute value or dtype inlay does not implement
  shape_mismatch,    // tensors whose shapes do not fit the operation
  invalid_argument,  // a bad value passed through the API (wrong dtype, unknown target name ...)
  io                 // a file that cannot be opened, read or written
};

inline const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::invalid_model: return "invalid model";
    case ErrorKind::unsupported_op: return "unsupported op";
    case ErrorKind::shape_mismatch: return "shape mismatch";
    case ErrorKind::invalid_argument: return "invalid argument";
    case ErrorKind::io: return "I/O error";
  }
  return "error";
}

class Error : public std::exception {
 public:
  Error(ErrorKind kind, std::string message)
      : kind_(kind),
        what_(std::string(to_string(kind)) + ": " + message),
        message_length_(message.size()) {}
  ErrorKind kind() const noexcept { return kind_; }
  // "<kind>: <message>".
  const char* what() const noexcept override { return what_.c_str(); }
  // The message alone, e.g. to add context and raise it again with the same kind.
  const char* message() const noexcept { return what_.c_str() + what_.size() - message_length_; }

 private:
  ErrorKind kind_;
  std::string what_;
  std::size_t message_length_;
};

// In an INLAY_NO_EXCEPTIONS build, every error is passed to this handler, then the process aborts
// (inlay cannot continue past a failed precondition). The default handler prints to stderr.
using ErrorHandler = void (*)(const Error&);
void set_error_handler(ErrorHandler handler) noexcept;
[[noreturn]] void report_error(const Error& error);

[[noreturn]] inline void fail(ErrorKind kind, std::string message) {
#ifdef INLAY_NO_EXCEPTIONS
  report_error(Error(kind, std::move(message)));
#else
  throw Error(kind, std::move(message));
#endif
}

INLAY_NAMESPACE_END

#endif  // INLAY_CORE_ERROR_HPP
