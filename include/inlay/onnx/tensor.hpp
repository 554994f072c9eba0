// TensorProto -> inlay::Tensor: element types, element counts and external data checked.
#ifndef INLAY_ONNX_TENSOR_HPP
#define INLAY_ONNX_TENSOR_HPP

#include <cstdint>
#include <string>

#include "inlay/core/dtype.hpp"
#include "inlay/core/tensor.hpp"
#include "inlay/onnx/proto.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {

// "FLOAT", "INT64" ... as onnx.proto spells them; "UNKNOWN(n)" for others.
std::string data_type_name(std::int32_t data_type);
// Maps an ONNX data type to inlay's; false for types inlay does not hold.
bool to_dtype(std::int32_t data_type, DType& out) noexcept;

// A new owning tensor holding the elements of `proto` (raw_data, the typed fields, or external
// data). `directory` is the model's folder, which external data must lie inside (absolute paths,
// ".." and symbolic links leading out are refused); "" refuses external data.
// Errors: unsupported_op for element types inlay does not hold, invalid_model for counts that do
// not match the dims, io for external files that cannot be read.
Tensor to_tensor(const TensorProto& proto, const std::string& directory = std::string());

}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_TENSOR_HPP
