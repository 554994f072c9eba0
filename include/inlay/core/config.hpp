// Version, namespace and exception configuration shared by every inlay header.
#ifndef INLAY_CORE_CONFIG_HPP
#define INLAY_CORE_CONFIG_HPP

#define INLAY_VERSION_MAJOR 0
#define INLAY_VERSION_MINOR 1
#define INLAY_VERSION_PATCH 0
#define INLAY_VERSION_STRING "0.1.0"

// The versioned inline namespace keeps two copies of different inlay versions in one program
// apart at link time (users still write inlay::Tensor).
#define INLAY_ABI_NAMESPACE v0_1_0
#define INLAY_NAMESPACE_BEGIN \
  namespace inlay {           \
  inline namespace INLAY_ABI_NAMESPACE {
#define INLAY_NAMESPACE_END \
  }                         \
  }

// INLAY_NO_EXCEPTIONS: errors go to the handler set with inlay::set_error_handler, then abort.
// Defined automatically when the compiler has exceptions turned off.
#if !defined(INLAY_NO_EXCEPTIONS) && !defined(__cpp_exceptions) && !defined(__EXCEPTIONS) && \
    !defined(_CPPUNWIND)
#define INLAY_NO_EXCEPTIONS
#endif

// Link-time guard: every translation unit that includes inlay refers to this symbol, and only the
// translation unit that defines INLAY_IMPLEMENTATION defines it. Forgetting the implementation
// gives "undefined reference to inlay_v0_1_0_define_INLAY_IMPLEMENTATION_in_exactly_one_cpp_file";
// defining it twice gives "multiple definition of" the same name.
#define INLAY_LINK_GUARD inlay_v0_1_0_define_INLAY_IMPLEMENTATION_in_exactly_one_cpp_file

#endif  // INLAY_CORE_CONFIG_HPP
