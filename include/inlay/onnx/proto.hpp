// The ONNX messages inlay reads (field numbers from onnx.proto, IR version 8), as plain structs.
//
// Zero-copy: every std::string_view here (names, raw_data, string attributes ...) points into the
// buffer that was parsed and is valid only while that buffer lives. onnx::ModelFile and
// onnx::TensorFile (onnx/file.hpp) keep their buffer alive next to the parsed message. Repeated
// numbers (dims, float_data, ints ...) are decoded into vectors. Fields inlay does not use
// (training_info, annotations, the graph's and nodes' doc_string ...) are skipped.
#ifndef INLAY_ONNX_PROTO_HPP
#define INLAY_ONNX_PROTO_HPP

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "inlay/core/config.hpp"
#include "inlay/core/dtype.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {

// TensorProto.DataType (the raw int32 is kept in the messages: files may hold values this
// version does not know)
enum class DataType : std::int32_t {
  undefined = 0,
  float32 = 1,
  uint8 = 2,
  int8 = 3,
  uint16 = 4,
  int16 = 5,
  int32 = 6,
  int64 = 7,
  string = 8,
  boolean = 9,
  float16 = 10,
  float64 = 11,
  uint32 = 12,
  uint64 = 13,
  complex64 = 14,
  complex128 = 15,
  bfloat16 = 16
};

// The one table between inlay's dtypes and TensorProto.DataType: every DType has one entry; the
// other data types (complex) have no inlay dtype.
struct DTypeDataType {
  DType dtype;
  DataType data_type;
};
inline constexpr DTypeDataType dtype_data_types[] = {
    {DType::f32, DataType::float32},   {DType::f16, DataType::float16},
    {DType::f64, DataType::float64},   {DType::i8, DataType::int8},
    {DType::u8, DataType::uint8},      {DType::i16, DataType::int16},
    {DType::u16, DataType::uint16},    {DType::i32, DataType::int32},
    {DType::u32, DataType::uint32},    {DType::i64, DataType::int64},
    {DType::u64, DataType::uint64},    {DType::boolean, DataType::boolean},
    {DType::bf16, DataType::bfloat16}, {DType::string, DataType::string},
};

// TensorProto.DataType of an inlay dtype.
constexpr DataType data_type_of(DType dtype) noexcept {
  for (const DTypeDataType& e : dtype_data_types) {
    if (e.dtype == dtype) return e.data_type;
  }
  return DataType::undefined;
}

struct StringStringEntryProto {
  std::string_view key;
  std::string_view value;
};

struct OperatorSetIdProto {
  std::string_view domain;  // "" (or "ai.onnx") is the default operator set
  std::int64_t version = 0;
};

struct TensorProto {
  enum DataLocation : std::int32_t { default_location = 0, external = 1 };

  std::string_view name;
  std::vector<std::int64_t> dims;
  std::int32_t data_type = 0;  // DataType
  bool has_raw_data = false;
  std::string_view raw_data;  // little-endian elements
  std::vector<float> float_data;
  std::vector<std::int32_t> int32_data;  // also int8/uint8/int16/uint16/bool/float16 (bits)
  std::vector<std::int64_t> int64_data;
  std::vector<double> double_data;
  std::vector<std::uint64_t> uint64_data;  // also uint32
  std::vector<std::string_view> string_data;
  std::vector<StringStringEntryProto> external_data;  // location, offset, length, checksum
  std::int32_t data_location = default_location;
};

struct TensorShapeDimension {
  bool has_value = false;
  std::int64_t value = 0;  // dim_value
  std::string_view param;  // dim_param (a symbolic dimension), when !has_value
};

// TypeProto restricted to tensor_type (the only kind inlay runs); other kinds leave
// has_tensor_type false.
struct TypeProto {
  enum class Container : std::uint8_t { sequence, optional, map };
  bool has_tensor_type = false;  // also set for the tensor inside a sequence, optional or map
  bool has_other_type = false;   // a sparse tensor type (somewhere inside)
  // sequence_type / optional_type / map_type wrappers, outermost first: elem_type and shape are
  // then those of the tensors inside (a map's: of its values).
  std::vector<Container> containers;
  std::int32_t map_key_type = 0;  // DataType of a map's keys
  // Neither: the file leaves the type out (`type {}`, legal ONNX: it is inferred).
  std::int32_t elem_type = 0;  // DataType
  bool has_shape = false;      // no shape: the rank is unknown
  std::vector<TensorShapeDimension> shape;
};

struct ValueInfoProto {
  std::string_view name;
  TypeProto type;
};

struct GraphProto;

// AttributeProto.AttributeType
enum class AttributeType : std::int32_t {
  undefined = 0,
  float_ = 1,
  int_ = 2,
  string = 3,
  tensor = 4,
  graph = 5,
  floats = 6,
  ints = 7,
  strings = 8,
  tensors = 9,
  graphs = 10,
  sparse_tensor = 11,
  sparse_tensors = 12,
  type_proto = 13,
  type_protos = 14
};

struct AttributeProto {
  std::string_view name;
  std::string_view ref_attr_name;  // inside a function body: refers to the caller's attribute
  AttributeType type = AttributeType::undefined;
  float f = 0.0f;
  std::int64_t i = 0;
  std::string_view s;
  bool has_t = false;
  TensorProto t;
  std::shared_ptr<GraphProto> g;  // null when absent
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  std::vector<std::string_view> strings;
  std::vector<TensorProto> tensors;
  std::vector<GraphProto> graphs;
};

struct NodeProto {
  std::string_view name;
  std::string_view op_type;
  std::string_view domain;
  std::vector<std::string_view> input;  // "" marks an omitted optional input
  std::vector<std::string_view> output;
  std::vector<AttributeProto> attribute;
};

struct GraphProto {
  std::string_view name;
  std::vector<NodeProto> node;
  std::vector<TensorProto> initializer;
  std::vector<ValueInfoProto> input;
  std::vector<ValueInfoProto> output;
  std::vector<ValueInfoProto> value_info;
};

struct FunctionProto {
  std::string_view name;
  std::string_view domain;
  std::vector<std::string_view> input;
  std::vector<std::string_view> output;
  std::vector<std::string_view> attribute;
  std::vector<NodeProto> node;
  std::vector<OperatorSetIdProto> opset_import;
};

// SequenceProto, MapProto and OptionalProto of test data (test_data_set_N/input_K.pb for a
// sequence, map or optional input), restricted to tensors and maps of tensors: other kinds
// (sparse tensors, nested sequences, nesting beyond optional(sequence)) are refused when parsed.
struct MapProto;
struct SequenceProto {
  std::string_view name;
  std::int32_t elem_type = 0;  // 1: tensors, 4: maps
  std::vector<TensorProto> tensor_values;
  std::vector<MapProto> map_values;
};

// A map: int64 `keys` or `string_keys` (key_type INT64 or STRING), and one value per key in
// `values`, a sequence of one-element tensors (as onnx.numpy_helper.from_dict writes them).
struct MapProto {
  std::string_view name;
  std::int32_t key_type = 0;
  std::vector<std::int64_t> keys;
  std::vector<std::string_view> string_keys;
  SequenceProto values;
};

struct OptionalProto {
  std::string_view name;
  std::int32_t elem_type = 0;  // 0: empty, 1: a tensor, 3: a sequence
  bool has_tensor = false;
  TensorProto tensor_value;
  bool has_sequence = false;
  SequenceProto sequence_value;
};

struct ModelProto {
  std::int64_t ir_version = 0;
  std::vector<OperatorSetIdProto> opset_import;
  std::string_view producer_name;
  std::string_view producer_version;
  std::string_view domain;
  std::int64_t model_version = 0;
  std::string_view doc_string;
  bool has_graph = false;
  GraphProto graph;
  std::vector<FunctionProto> functions;
  std::vector<StringStringEntryProto> metadata_props;
};

}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_PROTO_HPP
