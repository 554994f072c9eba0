// Definitions behind inlay/quantize.hpp, compiled once in the implementation unit (included from
// inlay/impl/implementation.hpp with the core).
#ifndef INLAY_QUANTIZE_IMPLEMENTATION_HPP
#define INLAY_QUANTIZE_IMPLEMENTATION_HPP

#include "inlay/quantize/impl/calibration.hpp"
#include "inlay/quantize/impl/edit_graph.hpp"
#include "inlay/quantize/impl/parameters.hpp"
#include "inlay/quantize/impl/observe.hpp"
#include "inlay/quantize/impl/rewrite.hpp"
#include "inlay/quantize/impl/quantize.hpp"

#endif  // INLAY_QUANTIZE_IMPLEMENTATION_HPP
