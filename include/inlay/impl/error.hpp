// Definitions behind core/error.hpp: the handler that reports errors in no-exceptions builds.
#ifndef INLAY_IMPL_ERROR_HPP
#define INLAY_IMPL_ERROR_HPP

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "inlay/core/error.hpp"

INLAY_NAMESPACE_BEGIN
namespace detail {
inline void print_error(const Error& e) { std::fprintf(stderr, "inlay: %s\n", e.what()); }
inline std::atomic<ErrorHandler>& error_handler() {
  static std::atomic<ErrorHandler> handler{&print_error};
  return handler;
}
}  // namespace detail

void set_error_handler(ErrorHandler handler) noexcept {
  detail::error_handler().store(handler ? handler : &detail::print_error);
}

void report_error(const Error& error) {
  detail::error_handler().load()(error);
  std::abort();
}

INLAY_NAMESPACE_END

#endif  // INLAY_IMPL_ERROR_HPP
