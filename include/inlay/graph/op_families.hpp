// Op families and selective builds: which families of built-in operators this build has
// (INLAY_OPS_ONLY with INLAY_OP_<FAMILY>, or inlay_add_implementation(... OPS ...);
// docs/families.md, "Selective builds"), and which family holds an op. For tools that report
// what a build or a model needs (`inlay ops`); not in the umbrella header, as a host that runs
// models needs none of it.
#ifndef INLAY_GRAPH_OP_FAMILIES_HPP
#define INLAY_GRAPH_OP_FAMILIES_HPP

#include <string>
#include <string_view>
#include <vector>

#include "inlay/graph/op.hpp"

INLAY_NAMESPACE_BEGIN

// An op family: one file include/inlay/graph/ops/<name>.hpp, the unit a selective build keeps.
struct OpFamily {
  const char* name;
  void (*add)(OpSet& ops);  // registers the family's operators
};
// The op families compiled into this build, in registry order (every family unless
// INLAY_OPS_ONLY); builtin_ops() holds their operators.
const std::vector<OpFamily>& builtin_op_families();
// The family that holds a built-in op in a full build ("" and "ai.onnx" are the same domain),
// whether or not this build has it; null for an op inlay does not have.
const char* builtin_op_family(std::string_view domain, std::string_view op_type);
// This build's families, comma-separated as in the error of a missing op, or "all".
std::string builtin_op_selection();

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OP_FAMILIES_HPP
