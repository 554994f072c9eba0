// Parsing ONNX messages from bytes in memory. The results view the buffer (see onnx/proto.hpp):
// keep it alive while they are used. Errors: inlay::Error of kind invalid_model naming the field
// path and byte offset, or unsupported_op for features inlay refuses (sparse initializers).
#ifndef INLAY_ONNX_PARSE_HPP
#define INLAY_ONNX_PARSE_HPP

#include <cstddef>

#include "inlay/onnx/proto.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {

ModelProto parse_model(const void* data, std::size_t size);
// A serialized TensorProto, as in the test_data_set_N/input_K.pb files of ONNX test data.
TensorProto parse_tensor(const void* data, std::size_t size);
// A serialized SequenceProto or OptionalProto of tensors (test data of sequence and optional
// inputs and outputs).
SequenceProto parse_sequence(const void* data, std::size_t size);
OptionalProto parse_optional(const void* data, std::size_t size);
// A serialized MapProto (test data of a map input or output).
MapProto parse_map(const void* data, std::size_t size);

}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_PARSE_HPP
