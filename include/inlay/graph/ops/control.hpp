// Control flow: If, Loop, Scan. Implementation-only.
#ifndef INLAY_GRAPH_OPS_CONTROL_HPP
#define INLAY_GRAPH_OPS_CONTROL_HPP

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

inline void register_control_ops(OpSet& ops) {
  (void)ops;
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_CONTROL_HPP
