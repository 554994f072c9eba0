// The ONNX reader's definitions, compiled once in the implementation unit (included from
// inlay/impl/implementation.hpp with the core).
#ifndef INLAY_ONNX_IMPLEMENTATION_HPP
#define INLAY_ONNX_IMPLEMENTATION_HPP

#include "inlay/onnx/impl/wire.hpp"
#include "inlay/onnx/impl/parse.hpp"
#include "inlay/onnx/impl/file.hpp"
#include "inlay/onnx/impl/tensor.hpp"

#endif  // INLAY_ONNX_IMPLEMENTATION_HPP
