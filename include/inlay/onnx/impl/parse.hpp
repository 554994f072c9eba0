// Definitions behind onnx/parse.hpp: one function per ONNX message, each a loop over the fields
// of the message that keeps the ones inlay uses and skips the rest.
#ifndef INLAY_ONNX_IMPL_PARSE_HPP
#define INLAY_ONNX_IMPL_PARSE_HPP

#include "inlay/onnx/impl/wire.hpp"
#include "inlay/onnx/parse.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {
namespace detail {

using wire::Field;
using wire::Path;
using wire::Reader;

// Reads the sub-message in `field` into `out` with parse(reader, out); `index` >= 0 names the
// element of a repeated field in error messages.
template <class T, class Parse>
void read_message(const Reader& r, const Field& field, const char* name, std::int64_t index, T& out,
                  Parse parse) {
  r.as_bytes(field, name);  // checks the wire type
  const Path path{&r.path(), name, index};
  Reader sub = r.nested(field, path);
  parse(sub, out);
}

template <class T, class Parse>
void append_message(const Reader& r, const Field& field, const char* name, std::vector<T>& out,
                    Parse parse) {
  out.emplace_back();
  read_message(r, field, name, static_cast<std::int64_t>(out.size() - 1), out.back(), parse);
}

inline void parse_string_entry(Reader& r, StringStringEntryProto& e) {
  Field f;
  while (r.next(f)) {
    if (f.number == 1) e.key = r.as_bytes(f, "key");
    else if (f.number == 2) e.value = r.as_bytes(f, "value");
  }
}

inline void parse_opset(Reader& r, OperatorSetIdProto& o) {
  Field f;
  while (r.next(f)) {
    if (f.number == 1) o.domain = r.as_bytes(f, "domain");
    else if (f.number == 2) o.version = r.as_int64(f, "version");
  }
}

void parse_tensor_fields(Reader& r, TensorProto& t) {
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case 1: r.append_int64(f, "dims", t.dims); break;
      case 2: t.data_type = r.as_int32(f, "data_type"); break;
      case 3:
        r.as_bytes(f, "segment");
        fail(ErrorKind::unsupported_op,
             r.path().to_string() + ".segment: segmented tensors are not supported");
      case 4: r.append_float(f, "float_data", t.float_data); break;
      case 5: r.append_int32(f, "int32_data", t.int32_data); break;
      case 6: t.string_data.push_back(r.as_bytes(f, "string_data")); break;
      case 7: r.append_int64(f, "int64_data", t.int64_data); break;
      case 8: t.name = r.as_bytes(f, "name"); break;
      case 9:
        t.raw_data = r.as_bytes(f, "raw_data");
        t.has_raw_data = true;
        break;
      case 10: r.append_double(f, "double_data", t.double_data); break;
      case 11: r.append_uint64(f, "uint64_data", t.uint64_data); break;
      case 13: append_message(r, f, "external_data", t.external_data, parse_string_entry); break;
      case 14: t.data_location = r.as_int32(f, "data_location"); break;
      default: break;
    }
  }
}

void parse_dimension(Reader& r, TensorShapeDimension& d) {
  Field f;
  while (r.next(f)) {
    if (f.number == 1) {
      d.value = r.as_int64(f, "dim_value");
      d.has_value = true;
    } else if (f.number == 2) {
      d.param = r.as_bytes(f, "dim_param");
      d.has_value = false;
    }
  }
}

void parse_shape(Reader& r, TypeProto& t) {
  Field f;
  while (r.next(f)) {
    if (f.number == 1) append_message(r, f, "dim", t.shape, parse_dimension);
  }
}

void parse_tensor_type(Reader& r, TypeProto& t) {
  Field f;
  while (r.next(f)) {
    if (f.number == 1) {
      t.elem_type = r.as_int32(f, "elem_type");
    } else if (f.number == 2) {
      t.has_shape = true;
      t.shape.clear();
      read_message(r, f, "shape", -1, t, parse_shape);
    }
  }
}

void parse_type(Reader& r, TypeProto& t);

// TypeProto.Sequence and TypeProto.Optional: one field, the TypeProto of what is inside.
inline void parse_container_type(Reader& r, TypeProto& t) {
  Field f;
  while (r.next(f)) {
    if (f.number == 1) read_message(r, f, "elem_type", -1, t, parse_type);
  }
}

inline void parse_map_type(Reader& r, TypeProto& t) {
  Field f;
  while (r.next(f)) {
    if (f.number == 1) t.map_key_type = r.as_int32(f, "key_type");
    if (f.number == 2) read_message(r, f, "value_type", -1, t, parse_type);
  }
}

void parse_type(Reader& r, TypeProto& t) {
  Field f;
  while (r.next(f)) {
    if (f.number == 1) {
      t.has_tensor_type = true;
      read_message(r, f, "tensor_type", -1, t, parse_tensor_type);
    } else if (f.number == 4 || f.number == 9) {
      t.containers.push_back(f.number == 4 ? TypeProto::Container::sequence
                                           : TypeProto::Container::optional);
      read_message(r, f, f.number == 4 ? "sequence_type" : "optional_type", -1, t,
                   parse_container_type);
    } else if (f.number == 5) {
      t.containers.push_back(TypeProto::Container::map);
      read_message(r, f, "map_type", -1, t, parse_map_type);
    } else if (f.number == 8) {
      t.has_other_type = true;  // sparse_tensor_type
    }
  }
}

void parse_value_info(Reader& r, ValueInfoProto& v) {
  Field f;
  while (r.next(f)) {
    if (f.number == 1) v.name = r.as_bytes(f, "name");
    else if (f.number == 2) read_message(r, f, "type", -1, v.type, parse_type);
  }
}

void parse_graph(Reader& r, GraphProto& g);

void parse_attribute(Reader& r, AttributeProto& a) {
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case 1: a.name = r.as_bytes(f, "name"); break;
      case 2: a.f = r.as_float(f, "f"); break;
      case 3: a.i = r.as_int64(f, "i"); break;
      case 4: a.s = r.as_bytes(f, "s"); break;
      case 5:
        a.t = TensorProto();
        read_message(r, f, "t", -1, a.t, parse_tensor_fields);
        a.has_t = true;
        break;
      case 6:
        a.g = std::make_shared<GraphProto>();
        read_message(r, f, "g", -1, *a.g, parse_graph);
        break;
      case 7: r.append_float(f, "floats", a.floats); break;
      case 8: r.append_int64(f, "ints", a.ints); break;
      case 9: a.strings.push_back(r.as_bytes(f, "strings")); break;
      case 10: append_message(r, f, "tensors", a.tensors, parse_tensor_fields); break;
      case 11: append_message(r, f, "graphs", a.graphs, parse_graph); break;
      case 20: a.type = static_cast<AttributeType>(r.as_int32(f, "type")); break;
      case 21: a.ref_attr_name = r.as_bytes(f, "ref_attr_name"); break;
      default: break;  // sparse tensors and type protos: the type field tells the caller
    }
  }
}

void parse_node(Reader& r, NodeProto& n) {
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case 1: n.input.push_back(r.as_bytes(f, "input")); break;
      case 2: n.output.push_back(r.as_bytes(f, "output")); break;
      case 3: n.name = r.as_bytes(f, "name"); break;
      case 4: n.op_type = r.as_bytes(f, "op_type"); break;
      case 5: append_message(r, f, "attribute", n.attribute, parse_attribute); break;
      case 7: n.domain = r.as_bytes(f, "domain"); break;
      default: break;
    }
  }
}

void parse_graph(Reader& r, GraphProto& g) {
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case 1: append_message(r, f, "node", g.node, parse_node); break;
      case 2: g.name = r.as_bytes(f, "name"); break;
      case 5: append_message(r, f, "initializer", g.initializer, parse_tensor_fields); break;
      case 11: append_message(r, f, "input", g.input, parse_value_info); break;
      case 12: append_message(r, f, "output", g.output, parse_value_info); break;
      case 13: append_message(r, f, "value_info", g.value_info, parse_value_info); break;
      case 15:
        fail(ErrorKind::unsupported_op,
             r.path().to_string() +
                 ".sparse_initializer: sparse initializers are not supported "
                 "(convert them to dense initializers) at byte " +
                 std::to_string(f.offset));
      default: break;
    }
  }
}

void parse_function(Reader& r, FunctionProto& fn) {
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case 1: fn.name = r.as_bytes(f, "name"); break;
      case 4: fn.input.push_back(r.as_bytes(f, "input")); break;
      case 5: fn.output.push_back(r.as_bytes(f, "output")); break;
      case 6: fn.attribute.push_back(r.as_bytes(f, "attribute")); break;
      case 7: append_message(r, f, "node", fn.node, parse_node); break;
      case 9: append_message(r, f, "opset_import", fn.opset_import, parse_opset); break;
      case 10: fn.domain = r.as_bytes(f, "domain"); break;
      default: break;
    }
  }
}

void parse_model_fields(Reader& r, ModelProto& m) {
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case 1: m.ir_version = r.as_int64(f, "ir_version"); break;
      case 2: m.producer_name = r.as_bytes(f, "producer_name"); break;
      case 3: m.producer_version = r.as_bytes(f, "producer_version"); break;
      case 4: m.domain = r.as_bytes(f, "domain"); break;
      case 5: m.model_version = r.as_int64(f, "model_version"); break;
      case 6: m.doc_string = r.as_bytes(f, "doc_string"); break;
      case 7:
        m.graph = GraphProto();
        read_message(r, f, "graph", -1, m.graph, parse_graph);
        m.has_graph = true;
        break;
      case 8: append_message(r, f, "opset_import", m.opset_import, parse_opset); break;
      case 14: append_message(r, f, "metadata_props", m.metadata_props, parse_string_entry); break;
      case 25: append_message(r, f, "functions", m.functions, parse_function); break;
      default: break;
    }
  }
}

template <class T, class Parse>
T parse_root(const void* data, std::size_t size, const char* name, Parse parse) {
  if (data == nullptr && size != 0) {
    fail(ErrorKind::invalid_argument, std::string("parsing a ") + name + " from a null pointer");
  }
  const auto* begin = static_cast<const std::uint8_t*>(data);
  const Path path{nullptr, name, -1};
  Reader r(begin, begin, begin + size, path, 0);
  T out;
  parse(r, out);
  return out;
}

// Fields 4, 6 and 7 (sparse tensors, maps, optionals) of SequenceProto and OptionalProto, and
// field 5 (sequences) of a SequenceProto, are beyond inlay's sequences of tensors.
inline void refuse_container_field(const Reader& r, const Field& f) {
  r.as_bytes(f, "value");
  fail(ErrorKind::unsupported_op,
       r.path().to_string() + ": field " + std::to_string(f.number) +
           " (sparse tensors, maps, nested sequences or optionals) is not supported");
}

inline void parse_map_fields(Reader& r, MapProto& m);

inline void parse_sequence_fields(Reader& r, SequenceProto& s) {
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case 1: s.name = r.as_bytes(f, "name"); break;
      case 2: s.elem_type = r.as_int32(f, "elem_type"); break;
      case 3: append_message(r, f, "tensor_values", s.tensor_values, parse_tensor_fields); break;
      case 6: append_message(r, f, "map_values", s.map_values, parse_map_fields); break;
      case 4:
      case 5:
      case 7: refuse_container_field(r, f); break;
      default: break;
    }
  }
}

inline void parse_map_fields(Reader& r, MapProto& m) {
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case 1: m.name = r.as_bytes(f, "name"); break;
      case 2: m.key_type = r.as_int32(f, "key_type"); break;
      case 3: r.append_int64(f, "keys", m.keys); break;
      case 4: m.string_keys.push_back(r.as_bytes(f, "string_keys")); break;
      case 5: read_message(r, f, "values", -1, m.values, parse_sequence_fields); break;
      default: break;
    }
  }
}

inline void parse_optional_fields(Reader& r, OptionalProto& o) {
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case 1: o.name = r.as_bytes(f, "name"); break;
      case 2: o.elem_type = r.as_int32(f, "elem_type"); break;
      case 3:
        o.has_tensor = true;
        read_message(r, f, "tensor_value", -1, o.tensor_value, parse_tensor_fields);
        break;
      case 5:
        o.has_sequence = true;
        read_message(r, f, "sequence_value", -1, o.sequence_value, parse_sequence_fields);
        break;
      case 4:
      case 6:
      case 7: refuse_container_field(r, f); break;
      default: break;
    }
  }
}

}  // namespace detail

ModelProto parse_model(const void* data, std::size_t size) {
  return detail::parse_root<ModelProto>(data, size, "ModelProto", detail::parse_model_fields);
}

TensorProto parse_tensor(const void* data, std::size_t size) {
  return detail::parse_root<TensorProto>(data, size, "TensorProto", detail::parse_tensor_fields);
}

SequenceProto parse_sequence(const void* data, std::size_t size) {
  return detail::parse_root<SequenceProto>(data, size, "SequenceProto",
                                           detail::parse_sequence_fields);
}

MapProto parse_map(const void* data, std::size_t size) {
  return detail::parse_root<MapProto>(data, size, "MapProto", detail::parse_map_fields);
}

OptionalProto parse_optional(const void* data, std::size_t size) {
  return detail::parse_root<OptionalProto>(data, size, "OptionalProto",
                                           detail::parse_optional_fields);
}

}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_IMPL_PARSE_HPP
