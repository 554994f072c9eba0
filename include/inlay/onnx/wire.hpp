// Protocol Buffers wire format, read-only: the subset of the encoding ONNX files use. Every
// length and count is checked against the bytes left before it is used, and every error names
// the field path and the byte offset (ErrorKind::invalid_model).
#ifndef INLAY_ONNX_WIRE_HPP
#define INLAY_ONNX_WIRE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inlay/core/error.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {
namespace wire {

enum class WireType : std::uint8_t {
  varint = 0,
  fixed64 = 1,
  length_delimited = 2,
  start_group = 3,  // deprecated groups: refused
  end_group = 4,
  fixed32 = 5
};

// Nested messages deeper than this are refused, so that a hostile file cannot exhaust the stack.
constexpr int max_depth = 64;

// The field path of the message being read, kept as a chain of stack frames (no allocation) and
// turned into text ("ModelProto.graph.node[3].attribute[1]") only when an error is reported.
struct Path {
  const Path* parent = nullptr;
  const char* name = "";
  std::int64_t index = -1;  // >= 0 for an element of a repeated field
  std::string to_string() const;
};

// One field as read from the wire: its number, wire type and value. For varint, fixed32 and
// fixed64 the value is in `number_value`; for length-delimited fields `bytes` views the payload
// inside the buffer being read.
struct Field {
  std::uint32_t number = 0;
  WireType type = WireType::varint;
  std::uint64_t number_value = 0;
  std::string_view bytes;
  std::size_t offset = 0;  // byte offset of the value (of the payload, for length-delimited
                           // fields) from the start of the whole buffer
};

// Reads the fields of one message from [begin, end). `base` is the start of the whole buffer
// (offsets in messages are counted from it); `depth` is the nesting level of this message.
class Reader {
 public:
  Reader(const std::uint8_t* base, const std::uint8_t* begin, const std::uint8_t* end,
         const Path& path, int depth);
  // A reader of the payload of a length-delimited field, one level deeper.
  Reader nested(const Field& field, const Path& path) const;

  // Reads the next field (tag and value); false at the end of the message. Unknown fields are
  // skipped by simply ignoring the returned field; groups are refused.
  bool next(Field& field);

  // Accessors that check the wire type of a known field.
  std::uint64_t as_uint64(const Field& field, const char* name) const;
  std::int64_t as_int64(const Field& field, const char* name) const;
  std::int32_t as_int32(const Field& field, const char* name) const;
  float as_float(const Field& field, const char* name) const;
  std::string_view as_bytes(const Field& field, const char* name) const;

  // Repeated scalars, packed (one length-delimited field) or not (one field per element).
  void append_int64(const Field& field, const char* name, std::vector<std::int64_t>& out) const;
  void append_int32(const Field& field, const char* name, std::vector<std::int32_t>& out) const;
  void append_uint64(const Field& field, const char* name, std::vector<std::uint64_t>& out) const;
  void append_float(const Field& field, const char* name, std::vector<float>& out) const;
  void append_double(const Field& field, const char* name, std::vector<double>& out) const;

  [[noreturn]] void fail_at(const char* field_name, std::size_t offset,
                            const std::string& what) const;
  const Path& path() const noexcept { return *path_; }
  int depth() const noexcept { return depth_; }

 private:
  std::uint64_t read_varint(const std::uint8_t*& p, const std::uint8_t* end,
                            const char* field_name) const;
  void expect(const Field& field, WireType type, const char* name) const;
  template <class T, class Convert>
  void append_varints(const Field& field, const char* name, std::vector<T>& out,
                      Convert convert) const;
  template <class T>
  void append_fixed(const Field& field, const char* name, std::vector<T>& out) const;

  const std::uint8_t* base_;
  const std::uint8_t* pos_;
  const std::uint8_t* end_;
  const Path* path_;
  int depth_;
};

}  // namespace wire
}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_WIRE_HPP
