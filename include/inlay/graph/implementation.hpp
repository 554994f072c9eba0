// The graph door's definitions, compiled once in the implementation unit (included from
// inlay/impl/implementation.hpp with the core).
#ifndef INLAY_GRAPH_IMPLEMENTATION_HPP
#define INLAY_GRAPH_IMPLEMENTATION_HPP

#include "inlay/graph/impl/op.hpp"
#include "inlay/graph/impl/compile.hpp"
#include "inlay/graph/impl/import.hpp"
#include "inlay/graph/impl/runner.hpp"
#include "inlay/graph/impl/passes.hpp"
#include "inlay/graph/impl/model.hpp"
#include "inlay/graph/impl/session.hpp"
#include "inlay/graph/ops/registry.hpp"

#endif  // INLAY_GRAPH_IMPLEMENTATION_HPP
