// Writes the files the `inlay` command-line tests use into a folder (argv[1]): small ONNX models
// encoded byte by byte (tests/onnx/proto_writer.hpp), tensors as TensorProto and as .npy, folders
// in the backend-test layout, and the bytes the tool must write for the model's output.
//
// The model: y = Relu(x W + b), x f32[batch,3], W = [[1,0],[0,1],[1,-1]], b = [0.5,-0.5].
// For x = [[1,2,3],[-4,5,-6]]: x W + b = [[4.5,-1.5],[-9.5,10.5]], so y = [[4.5,0],[0,10.5]].
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "onnx/proto_writer.hpp"

namespace {

using inlay_test::le_bytes;
using inlay_test::Pb;
namespace fs = std::filesystem;

const int kFloat = 1;  // TensorProto.DataType FLOAT

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) {
    std::fprintf(stderr, "cannot write %s\n", path.string().c_str());
    std::exit(1);
  }
}

// TensorProto fields in the order inlay's writer uses: dims, data_type, name, raw_data.
std::string tensor(const std::string& name, std::initializer_list<std::int64_t> dims,
                   const std::string& raw) {
  Pb t;
  for (std::int64_t d : dims) t.u(1, static_cast<std::uint64_t>(d));
  t.u(2, kFloat).s(8, name).s(9, raw);
  return t.bytes;
}

// ValueInfoProto of a tensor; a negative dim is the symbolic dimension "batch".
Pb value_info(const std::string& name, std::initializer_list<std::int64_t> dims,
              int elem_type = kFloat) {
  Pb shape;
  for (std::int64_t d : dims)
    shape.m(1, d < 0 ? Pb().s(2, "batch") : Pb().u(1, static_cast<std::uint64_t>(d)));
  return Pb().s(1, name).m(2,
                           Pb().m(1, Pb().u(1, static_cast<std::uint64_t>(elem_type)).m(2, shape)));
}

Pb node(const std::string& op, std::vector<std::string> in, const std::string& out) {
  Pb n;
  for (const auto& i : in) n.s(1, i);
  return n.s(2, out).s(3, op + "_node").s(4, op);
}

std::string model(const Pb& graph) {
  return Pb().u(1, 8).s(2, "inlay-cli-test").m(7, graph).m(8, Pb().s(1, "").u(2, 13)).bytes;
}

std::string affine_model(std::int64_t batch) {
  Pb g;
  g.m(1, node("MatMul", {"x", "W"}, "xw"))
      .m(1, node("Add", {"xw", "b"}, "z"))
      .m(1, node("Relu", {"z"}, "y"))
      .s(2, "affine")
      .s(5, tensor("W", {3, 2}, le_bytes<float>({1, 0, 0, 1, 1, -1})))
      .s(5, tensor("b", {2}, le_bytes<float>({0.5f, -0.5f})))
      .m(11, value_info("x", {batch, 3}))
      .m(12, value_info("y", {batch, 2}));
  return model(g);
}

// A .npy file: version 1 or 2 header, padded to 64 bytes as NumPy does.
std::string npy(int version, const std::string& shape, const std::string& raw,
                const std::string& descr = "<f4") {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t prefix = version == 1 ? 10 : 12;
  dict.append((64 - (prefix + dict.size() + 1) % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(version);
  out += '\0';
  for (std::size_t i = 0; i < (version == 1 ? 2u : 4u); ++i) {
    out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  }
  return out + dict + raw;
}

// A Loop of 10^15 iterations that pass x through: a case that runs (practically) forever, for
// the per-case timeout of `check --suite`.
std::string endless_loop_model() {
  const int kInt64 = 7, kBool = 9;
  Pb body;
  body.m(1, node("Identity", {"cond_in"}, "cond_out"))
      .m(1, node("Identity", {"v_in"}, "v_out"))
      .s(2, "body")
      .m(11, value_info("i", {}, kInt64))
      .m(11, value_info("cond_in", {}, kBool))
      .m(11, value_info("v_in", {2, 3}))
      .m(12, value_info("cond_out", {}, kBool))
      .m(12, value_info("v_out", {2, 3}));
  Pb trips;
  trips.u(2, static_cast<std::uint64_t>(kInt64))
      .s(8, "M")
      .s(9, le_bytes<std::int64_t>({1000000000000000}));
  Pb loop = node("Loop", {"M", "", "x"}, "y");
  loop.m(5, Pb().s(1, "body").m(6, body).u(20, 5));  // AttributeProto g, type GRAPH
  Pb g;
  g.m(1, loop)
      .s(2, "endless")
      .m(5, trips)
      .m(11, value_info("x", {2, 3}))
      .m(12, value_info("y", {2, 3}));
  return model(g);
}

// A sequence and a map model, for `inlay run` with such inputs and outputs:
//   sequence.onnx: s (sequence of f32 tensors) -> y = ConcatFromSequence(s, axis 0) and
//                  rest = SequenceErase(s) (the last tensor removed);
//   dict.onnx:     m (map int64 -> f32) -> v = ai.onnx.ml DictVectorizer(int64_vocabulary 1, 2, 3).
Pb tensor_type(int elem_type) {
  return Pb().m(1, Pb().u(1, static_cast<std::uint64_t>(elem_type)));
}
Pb sequence_info(const std::string& name) {
  return Pb().s(1, name).m(2, Pb().m(4, Pb().m(1, tensor_type(kFloat))));
}
std::string sequence_model() {
  Pb concat = node("ConcatFromSequence", {"s"}, "y");
  concat.m(5, Pb().s(1, "axis").u(20, 2).u(3, 0));  // AttributeProto i, type INT
  Pb g;
  g.m(1, concat)
      .m(1, node("SequenceErase", {"s"}, "rest"))
      .s(2, "sequence")
      .m(11, sequence_info("s"))
      .m(12, Pb().s(1, "y").m(2, tensor_type(kFloat)))
      .m(12, sequence_info("rest"));
  return model(g);
}
std::string dict_model() {
  const int kInt64 = 7;
  Pb vectorizer = node("DictVectorizer", {"m"}, "v");
  vectorizer.s(7, "ai.onnx.ml")
      .m(5, Pb().s(1, "int64_vocabulary").u(20, 7).u(8, 1).u(8, 2).u(8, 3));
  Pb map_type = Pb().u(1, kInt64).m(2, tensor_type(kFloat));
  Pb g;
  g.m(1, vectorizer)
      .s(2, "dict")
      .m(11, Pb().s(1, "m").m(2, Pb().m(5, map_type)))
      .m(12, Pb().s(1, "v").m(2, tensor_type(kFloat)));
  return Pb()
      .u(1, 8)
      .s(2, "inlay-cli-test")
      .m(7, g)
      .m(8, Pb().s(1, "").u(2, 13))
      .m(8, Pb().s(1, "ai.onnx.ml").u(2, 1))
      .bytes;
}
// SequenceProto of tensors [[1, 2]] and [[3, 4]]; MapProto {3: 0.5, 1: 2}.
std::string sequence_file() {
  return Pb()
      .s(1, "s")
      .u(2, 1)  // elem_type TENSOR
      .s(3, tensor("", {1, 2}, le_bytes<float>({1, 2})))
      .s(3, tensor("", {1, 2}, le_bytes<float>({3, 4})))
      .bytes;
}
std::string map_file() {
  Pb values = Pb().u(2, 1)
                  .s(3, tensor("", {}, le_bytes<float>({0.5f})))
                  .s(3, tensor("", {}, le_bytes<float>({2})));
  return Pb().s(1, "m").u(2, 7).u(3, 3).u(3, 1).m(5, values).bytes;
}

void backend_case(const fs::path& dir, const std::string& model_bytes, const std::string& y_raw) {
  write(dir / "model.onnx", model_bytes);
  write(dir / "test_data_set_0" / "input_0.pb",
        tensor("x", {2, 3}, le_bytes<float>({1, 2, 3, -4, 5, -6})));
  write(dir / "test_data_set_0" / "output_0.pb", tensor("y", {2, 2}, y_raw));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fixtures OUT\n");
    return 1;
  }
  const fs::path out = argv[1];
  fs::remove_all(out);
  const std::string affine = affine_model(-1);
  const std::string x_raw = le_bytes<float>({1, 2, 3, -4, 5, -6});
  const std::string y_raw = le_bytes<float>({4.5f, 0, 0, 10.5f});
  const std::string y_off = le_bytes<float>({4.5f, 0, 0, 11.5f});  // one element off by 1
  Pb no_kernel;
  no_kernel.m(1, node("NoSuchOp", {"x"}, "y"))
      .s(2, "nokernel")
      .m(11, value_info("x", {2, 3}))
      .m(12, value_info("y", {2, 3}));

  write(out / "affine.onnx", affine);
  write(out / "static.onnx", affine_model(2));
  write(out / "nokernel.onnx", model(no_kernel));
  write(out / "corrupt.onnx", affine.substr(0, affine.size() / 2));
  write(out / "x.pb", tensor("x", {2, 3}, x_raw));
  const std::string x_npy = npy(1, "(2, 3)", x_raw);
  write(out / "x.npy", x_npy);
  write(out / "x_v2.npy", npy(2, "(2, 3)", x_raw));
  write(out / "x_big_endian.npy", npy(1, "(2, 3)", x_raw, ">f4"));
  write(out / "x_truncated.npy", x_npy.substr(0, x_npy.size() - 4));  // one element short
  write(out / "x_long.npy", x_npy + "more");                          // one element too many
  write(out / "expected_y.pb", tensor("y", {2, 2}, y_raw));
  write(out / "expected_y.npy", npy(1, "(2, 2)", y_raw));

  backend_case(out / "suite" / "pass", affine, y_raw);
  backend_case(out / "suite" / "fail", affine, y_off);
  backend_case(out / "suite" / "skip", model(no_kernel), y_raw);
  backend_case(out / "suite" / "corrupt", affine.substr(0, affine.size() / 2), y_raw);
  backend_case(out / "meta", affine, y_off);
  write(out / "meta" / "meta.json",
        "{\"suggested_tolerance\": {\"rtol\": 0.001, \"atol\": 2.0}}\n");
  backend_case(out / "bad_meta", affine, y_raw);
  write(out / "bad_meta" / "meta.json", "{\"atol\": \"abc\"}\n");
  write(out / "no_data" / "model.onnx", affine);
  backend_case(out / "endless" / "loop", endless_loop_model(), y_raw);
  write(out / "endless" / "loop" / "test_data_set_0" / "output_0.pb", tensor("y", {2, 3}, x_raw));
  // inlay quantize: calibration folders (.npy, a wrong shape, none) and a model with no op to
  // quantize.
  write(out / "calib_npy" / "input_0.npy", x_npy);
  write(out / "calib_wrong" / "input_0.pb",
        tensor("x", {2, 4}, le_bytes<float>({1, 2, 3, 4, 5, 6, 7, 8})));
  fs::create_directories(out / "calib_empty");
  Pb softmax;
  softmax.m(1, node("Softmax", {"x"}, "y"))
      .s(2, "softmax")
      .m(11, value_info("x", {2, 3}))
      .m(12, value_info("y", {2, 3}));
  write(out / "softmax.onnx", model(softmax));
  write(out / "sequence.onnx", sequence_model());
  write(out / "sequence.pb", sequence_file());
  write(out / "dict.onnx", dict_model());
  write(out / "map.pb", map_file());
  write(out / "ratchet_ok.txt", "# cases that passed\npass\n");
  write(out / "ratchet_regressed.txt", "pass\nfail\n");
  write(out / "ratchet_missing.txt", "pass\ngone\n");
  write(out / "expected_passed.txt", "pass\n");
  std::printf("fixtures in %s\n", out.string().c_str());
  return 0;
}
