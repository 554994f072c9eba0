// Definitions behind onnx/file.hpp: mmap on POSIX (read() when mapping fails), stdio elsewhere.
#ifndef INLAY_ONNX_IMPL_FILE_HPP
#define INLAY_ONNX_IMPL_FILE_HPP

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#define INLAY_ONNX_POSIX 1
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#else
#define INLAY_ONNX_POSIX 0
#endif

#include "inlay/onnx/file.hpp"
#include "inlay/onnx/parse.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {
namespace detail {

[[noreturn]] inline void fail_io(const std::string& path, const char* what, int error) {
  fail(ErrorKind::io, "cannot " + std::string(what) + " '" + path + "': " + std::strerror(error));
}

// The folder of `path` ("." for a bare file name), for resolving external data.
inline std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// What a file that fails to parse as protobuf is, judged by its first bytes, when it is one of the
// files people give by mistake: "" otherwise.
inline std::string file_kind_hint(const std::uint8_t* data, std::size_t size) {
  const auto starts = [&](const char* magic, std::size_t at = 0) {
    const std::size_t n = std::strlen(magic);
    return size >= at + n && std::memcmp(data + at, magic, n) == 0;
  };
  if (starts("\x89PNG")) return "a PNG image";
  if (starts("\xFF\xD8\xFF")) return "a JPEG image";
  if (starts("GIF8")) return "a GIF image";
  if (starts("PK\x03\x04")) {
    return "a zip archive (a PyTorch .pt/.pth file is one: export the model with "
           "torch.onnx.export)";
  }
  if (starts("\x93NUMPY")) return "a NumPy .npy file";
  if (starts("\x89HDF")) return "an HDF5 file (a Keras .h5 model: convert it with tf2onnx)";
  if (starts("TFL3", 4)) return "a TensorFlow Lite model";
  if (starts("\x1F\x8B")) return "a gzip archive";
  // Text: the first bytes are printable ASCII, whitespace or UTF-8.
  const std::size_t n = size < 256 ? size : 256;
  if (n == 0) return "an empty file";
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t c = data[i];
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return "";
    if (c == 0x7F) return "";
  }
  return "a text file";
}

// Runs parse(), which reads `bytes` as `what` (e.g. "an ONNX model"). Its errors get the path in
// front; a file that is plainly something else says so first, the parser's detail after. A
// malformed file is reported as `malformed` (invalid_model for a model, invalid_argument for a
// tensor given as input).
template <class Parse>
void with_path(const std::string& path, const FileBytes& bytes, const char* what,
               ErrorKind malformed, Parse parse) {
#ifdef INLAY_NO_EXCEPTIONS
  (void)bytes;
  (void)what;
  (void)malformed;
  parse();
#else
  try {
    parse();
  } catch (const Error& e) {
    const ErrorKind kind = e.kind() == ErrorKind::invalid_model ? malformed : e.kind();
    const std::string hint = file_kind_hint(bytes.data(), bytes.size());
    if (hint.empty()) fail(kind, path + ": " + e.message());
    fail(kind, path + " is not " + what + ": it is " + hint + " (" + e.message() + ")");
  }
#endif
}

// The live mappings of FileBytes::open, [begin, end) each: release_file_pages acts inside them
// only.
struct Mappings {
  std::mutex mutex;
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;
};
Mappings& mappings() {
  static Mappings m;  // never destroyed before the FileBytes that outlive main()
  return m;
}
}  // namespace detail

void release_file_pages(const void* data, std::size_t bytes) {
#if INLAY_ONNX_POSIX
  if (data == nullptr || bytes == 0) return;
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t end = begin + bytes;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;
  if (last <= first) return;  // no whole page inside
  detail::Mappings& m = detail::mappings();
  std::lock_guard<std::mutex> lock(m.mutex);
  for (const auto& r : m.ranges) {
    if (begin >= r.first && end <= r.second) {
      madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
      return;
    }
  }
#else
  (void)data;
  (void)bytes;
#endif
}

FileBytes::~FileBytes() {
#if INLAY_ONNX_POSIX
  if (mapping_) {
    detail::Mappings& m = detail::mappings();
    {
      std::lock_guard<std::mutex> lock(m.mutex);
      const auto begin = reinterpret_cast<std::uintptr_t>(mapping_);
      for (std::size_t i = 0; i < m.ranges.size(); ++i) {
        if (m.ranges[i].first == begin) {
          m.ranges.erase(m.ranges.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      }
    }
    munmap(mapping_, size_);
  }
#endif
}

std::shared_ptr<const FileBytes> FileBytes::open(const std::string& path) {
  std::shared_ptr<FileBytes> bytes(new FileBytes());
#if INLAY_ONNX_POSIX
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) detail::fail_io(path, "open", errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (fstat(fd, &st) != 0) detail::fail_io(path, "stat", errno);
  if (!S_ISREG(st.st_mode)) fail(ErrorKind::io, "'" + path + "' is not a regular file");
  const std::size_t size = static_cast<std::size_t>(st.st_size);
  if (size == 0) return bytes;
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map != MAP_FAILED) {
    bytes->mapping_ = map;
    bytes->data_ = static_cast<const std::uint8_t*>(map);
    bytes->size_ = size;
    detail::Mappings& m = detail::mappings();
    std::lock_guard<std::mutex> lock(m.mutex);
    const auto begin = reinterpret_cast<std::uintptr_t>(map);
    m.ranges.emplace_back(begin, begin + size);
    return bytes;
  }
  // Mapping can fail (some file systems, address-space limits): read the file instead.
  bytes->copy_.reset(new std::uint8_t[size]);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, bytes->copy_.get() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) detail::fail_io(path, "read", errno);
    if (n == 0) fail(ErrorKind::io, "'" + path + "' became shorter while being read");
    done += static_cast<std::size_t>(n);
  }
  bytes->data_ = bytes->copy_.get();
  bytes->size_ = size;
#else
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) detail::fail_io(path, "open", errno);
  struct Closer {
    std::FILE* f;
    ~Closer() { std::fclose(f); }
  } closer{file};
  if (std::fseek(file, 0, SEEK_END) != 0) detail::fail_io(path, "seek in", errno);
  const long end = std::ftell(file);
  if (end < 0) detail::fail_io(path, "tell the size of", errno);
  std::rewind(file);
  const std::size_t size = static_cast<std::size_t>(end);
  if (size == 0) return bytes;
  bytes->copy_.reset(new std::uint8_t[size]);
  if (std::fread(bytes->copy_.get(), 1, size, file) != size) detail::fail_io(path, "read", errno);
  bytes->data_ = bytes->copy_.get();
  bytes->size_ = size;
#endif
  return bytes;
}

ModelFile read_model_file(const std::string& path) {
  ModelFile f;
  f.bytes = FileBytes::open(path);
  detail::with_path(path, *f.bytes, "an ONNX model", ErrorKind::invalid_model,
                    [&] { f.model = parse_model(f.bytes->data(), f.bytes->size()); });
  f.directory = detail::parent_directory(path);
  return f;
}

TensorFile read_tensor_file(const std::string& path) {
  TensorFile f;
  f.bytes = FileBytes::open(path);
  detail::with_path(path, *f.bytes, "an ONNX tensor file (TensorProto)",
                    ErrorKind::invalid_argument,
                    [&] { f.tensor = parse_tensor(f.bytes->data(), f.bytes->size()); });
  f.directory = detail::parent_directory(path);
  return f;
}

}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_IMPL_FILE_HPP
