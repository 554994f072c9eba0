// Private: the graph runner's allocation limit, in a header of its own so that a program may set
// it from any translation unit (the loader's fuzzer does) without the runner's definitions.
#ifndef INLAY_GRAPH_IMPL_LIMITS_HPP
#define INLAY_GRAPH_IMPL_LIMITS_HPP

#include <cstddef>
#include <limits>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace detail {

// The largest tensor a runner allocates, in bytes: a model whose shapes ask for more (a legal
// shape can be huge) gets an Error naming the node instead of exhausting memory. Unlimited by
// default; the loader's fuzzer (tests/fuzz/model_load_fuzz.cpp) lowers it. An inline function:
// every translation unit shares its one static.
inline std::size_t& max_tensor_bytes() {
  static std::size_t limit = std::numeric_limits<std::size_t>::max();
  return limit;
}

}  // namespace detail
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_LIMITS_HPP
