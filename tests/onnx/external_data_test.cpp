// External data: resolved inside the model's folder only (absolute paths, "..", symbolic links
// leading out refused), offset and length checked against the file; file-reading errors.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "onnx/onnx_test_util.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using inlay::ErrorKind;
using inlay::Tensor;
using inlay_test::error_of;
using inlay_test::Pb;
using inlay_test::varint;

namespace {

// A fresh folder under the temp directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("inlay_onnx_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Pb metadata_entry(const std::string& k, const std::string& v) { return Pb().s(1, k).s(2, v); }

// A FLOAT [2] tensor "e" whose data is external.
Pb external_tensor(const std::string& location, const std::string& offset = "",
                   const std::string& length = "") {
  Pb t;
  t.s(8, "e").s(1, varint(2)).u(2, 1).u(14, 1).m(13, metadata_entry("location", location));
  if (!offset.empty()) t.m(13, metadata_entry("offset", offset));
  if (!length.empty()) t.m(13, metadata_entry("length", length));
  return t;
}

Tensor load(const Pb& t, const fs::path& dir) {
  return inlay::onnx::to_tensor(inlay_test::parse_tensor_bytes(t.bytes).proto, dir.string());
}

}  // namespace

TEST_CASE("External data is read from inside the model's folder", "[onnx][onnx/external_data]") {
  TempDir dir;
  fs::create_directories(dir.path / "sub");
  write_file(dir.path / "sub" / "w.bin", "XXXX" + inlay_test::le_bytes<float>({1.5f, -2.5f}));
  Tensor t = load(external_tensor("sub/w.bin", "4", "8"), dir.path);
  CHECK(t.data<float>()[0] == 1.5f);
  CHECK(t.data<float>()[1] == -2.5f);
  // a symbolic link that stays inside the folder is fine
  fs::create_symlink(dir.path / "sub" / "w.bin", dir.path / "link.bin");
  CHECK(load(external_tensor("link.bin", "4"), dir.path).data<float>()[1] == -2.5f);
  // "./" components are harmless
  CHECK(load(external_tensor("./sub/w.bin", "4"), dir.path).numel() == 2);
}

TEST_CASE("External data leading outside the folder is refused", "[onnx][onnx/external_data]") {
  TempDir outside, dir;
  write_file(outside.path / "secret.bin", std::string(8, 'S'));
  fs::create_directories(dir.path / "sub");
  write_file(dir.path / "w.bin", std::string(8, 'W'));

  const std::string abs = (outside.path / "secret.bin").string();
  CHECK_THAT(error_of([&] { load(external_tensor(abs), dir.path); }, ErrorKind::invalid_model),
             Contains("must be a relative path inside the model's folder"));
  const std::string dotdot = "../" + outside.path.filename().string() + "/secret.bin";
  CHECK_THAT(error_of([&] { load(external_tensor(dotdot), dir.path); }, ErrorKind::invalid_model),
             Contains("has a '..' component"));
  CHECK_THAT(
      error_of([&] { load(external_tensor("sub/../w.bin"), dir.path); }, ErrorKind::invalid_model),
      Contains("'..'"));
  fs::create_symlink(outside.path / "secret.bin", dir.path / "evil.bin");
  CHECK_THAT(
      error_of([&] { load(external_tensor("evil.bin"), dir.path); }, ErrorKind::invalid_model),
      Contains("outside the model's folder"));
  fs::create_directory_symlink(outside.path, dir.path / "evil_dir");
  CHECK_THAT(error_of([&] { load(external_tensor("evil_dir/secret.bin"), dir.path); },
                      ErrorKind::invalid_model),
             Contains("outside the model's folder"));
  // without a folder, external data cannot be resolved at all
  CHECK_THAT(error_of(
                 [&] {
                   inlay::onnx::to_tensor(
                       inlay_test::parse_tensor_bytes(external_tensor("w.bin").bytes).proto);
                 },
                 ErrorKind::invalid_model),
             Contains("no model folder"));
}

TEST_CASE("External data offsets and lengths are checked against the file",
          "[onnx][onnx/external_data]") {
  TempDir dir;
  write_file(dir.path / "w.bin", std::string(12, '\0'));
  CHECK_NOTHROW(load(external_tensor("w.bin", "4"), dir.path));
  CHECK_THAT(
      error_of([&] { load(external_tensor("w.bin", "5"), dir.path); }, ErrorKind::invalid_model),
      Contains("tensor 'e': external data offset 5 + length 8 runs past the end"));
  CHECK_THAT(error_of([&] { load(external_tensor("w.bin", "18446744073709551615"), dir.path); },
                      ErrorKind::invalid_model),
             Contains("runs past the end"));
  CHECK_THAT(error_of([&] { load(external_tensor("w.bin", "18446744073709551616"), dir.path); },
                      ErrorKind::invalid_model),
             Contains("does not fit 64 bits"));
  CHECK_THAT(
      error_of([&] { load(external_tensor("w.bin", "-1"), dir.path); }, ErrorKind::invalid_model),
      Contains("'offset' is not a number: '-1'"));
  CHECK_THAT(error_of([&] { load(external_tensor("w.bin", "0", "4"), dir.path); },
                      ErrorKind::invalid_model),
             Contains("external data length 4 but the dims need 8 bytes"));
  CHECK_THAT(error_of([&] { load(external_tensor("missing.bin"), dir.path); }, ErrorKind::io),
             Contains("cannot open external data"));
  fs::create_directories(dir.path / "d");
  CHECK_THAT(error_of([&] { load(external_tensor("d"), dir.path); }, ErrorKind::io),
             Contains("is not a regular file"));
}

TEST_CASE("Model and tensor files: read, and I/O errors naming the path",
          "[onnx][onnx/external_data]") {
  TempDir dir;
  const Pb tensor =
      Pb().s(8, "t").s(1, varint(1)).u(2, 1).s(9, inlay_test::le_bytes<float>({3.0f}));
  write_file(dir.path / "t.pb", tensor.bytes);
  const inlay::onnx::TensorFile tf = inlay::onnx::read_tensor_file((dir.path / "t.pb").string());
  CHECK(tf.tensor.name == "t");
  CHECK(tf.bytes->is_mapped());
  CHECK(inlay::onnx::to_tensor(tf.tensor).data<float>()[0] == 3.0f);
  CHECK(tf.directory == dir.path.string());

  write_file(dir.path / "m.onnx", Pb().u(1, 8).m(7, Pb().s(2, "g")).bytes);
  const inlay::onnx::ModelFile mf = inlay::onnx::read_model_file((dir.path / "m.onnx").string());
  CHECK(mf.model.graph.name == "g");
  write_file(dir.path / "empty.onnx", "");
  CHECK_FALSE(inlay::onnx::read_model_file((dir.path / "empty.onnx").string()).model.has_graph);

  const std::string missing = (dir.path / "missing.onnx").string();
  CHECK_THAT(error_of([&] { inlay::onnx::read_model_file(missing); }, ErrorKind::io),
             Contains("cannot open '" + missing + "'"));
  CHECK_THAT(error_of([&] { inlay::onnx::read_model_file(dir.path.string()); }, ErrorKind::io),
             Contains("is not a regular file"));
  write_file(dir.path / "bad.onnx", Pb().s(1, "x").bytes);
  CHECK_THAT(error_of([&] { inlay::onnx::read_model_file((dir.path / "bad.onnx").string()); },
                      ErrorKind::invalid_model),
             Contains((dir.path / "bad.onnx").string() + ": ModelProto.ir_version"));
}
