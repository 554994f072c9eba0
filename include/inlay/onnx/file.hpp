// Reading ONNX files: the bytes are memory-mapped (POSIX) or read into memory, and kept alive
// next to the parsed message that views them. Errors opening or reading: ErrorKind::io, naming
// the path.
#ifndef INLAY_ONNX_FILE_HPP
#define INLAY_ONNX_FILE_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "inlay/onnx/proto.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {

// The read-only bytes of a whole file. Not copyable: share it through std::shared_ptr.
class FileBytes {
 public:
  static std::shared_ptr<const FileBytes> open(const std::string& path);
  ~FileBytes();
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  const std::uint8_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool is_mapped() const noexcept { return mapping_ != nullptr; }

 private:
  FileBytes() = default;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  void* mapping_ = nullptr;  // the mmap'ed region, or null when read into `copy_`
  std::unique_ptr<std::uint8_t[]> copy_;
};

// Tells the system that the pages wholly inside [data, data + bytes) are not needed for now, when
// that range lies in a live mapping of FileBytes::open: they leave the process's resident memory
// and are read from the file again if touched (the mapping is read-only, so nothing is lost). A
// weight whose prepared form replaces it (a Winograd transform, a packed copy) then stops counting
// twice. Anything else (heap memory, a model given as bytes, a copied file) is left alone.
void release_file_pages(const void* data, std::size_t bytes);

// A model with the bytes its views point into, and the folder that external data is relative to.
struct ModelFile {
  std::shared_ptr<const FileBytes> bytes;
  ModelProto model;
  std::string directory;
};
ModelFile read_model_file(const std::string& path);

struct TensorFile {
  std::shared_ptr<const FileBytes> bytes;
  TensorProto tensor;
  std::string directory;
};
TensorFile read_tensor_file(const std::string& path);

}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_FILE_HPP
