// inlay::Tensor: a typed, shaped block of host memory, either owned (aligned, shared between
// copies of the handle) or a non-owning view over memory the caller keeps alive.
#ifndef INLAY_CORE_TENSOR_HPP
#define INLAY_CORE_TENSOR_HPP

#include <algorithm>
#include <cstring>
#include <new>
#include <memory>
#include <string>
#include <type_traits>

#include "inlay/core/aligned.hpp"
#include "inlay/core/dtype.hpp"
#include "inlay/core/error.hpp"
#include "inlay/core/shape.hpp"

INLAY_NAMESPACE_BEGIN

// Copying a Tensor copies the handle, not the elements (like a shared_ptr); clone() copies the
// elements. A view never owns: the memory it points to must outlive every copy of it.
class Tensor {
 public:
  Tensor() = default;

  // An owning tensor, zero-filled (strings: empty).
  Tensor(DType dtype, const Shape& shape) : dtype_(dtype), shape_(shape) {
    const std::size_t bytes = nbytes();
    AlignedBuffer buffer = allocate_aligned(bytes);
    data_ = buffer.get();
    if (dtype == DType::string) {
      // std::string is not a plain byte pattern: construct every element here, and let the
      // owner destroy them before the memory goes.
      const auto n = static_cast<std::size_t>(numel());
      auto* p = static_cast<std::string*>(data_);
      for (std::size_t i = 0; i < n; ++i) new (p + i) std::string();
      owner_ = std::shared_ptr<void>(buffer.release(), StringsDelete{n});
      return;
    }
    std::memset(buffer.get(), 0, bytes);
    owner_ = std::shared_ptr<void>(buffer.release(), AlignedDelete());
  }

  // A view over caller memory; a view of const memory is read-only.
  template <class T>
  static Tensor view(T* data, const Shape& shape) {
    using U = std::remove_const_t<T>;
    Tensor t;
    t.dtype_ = dtype_of_v<U>;
    t.shape_ = shape;
    t.data_ = const_cast<U*>(data);
    t.read_only_ = std::is_const<T>::value;
    if (data == nullptr && t.numel() != 0) {
      fail(ErrorKind::invalid_argument,
           "Tensor::view of a null pointer with shape " + shape.to_string());
    }
    return t;
  }
  static Tensor view(DType dtype, void* data, const Shape& shape) {
    Tensor t;
    t.dtype_ = dtype;
    t.shape_ = shape;
    t.data_ = data;
    if (data == nullptr && t.numel() != 0) {
      fail(ErrorKind::invalid_argument,
           "Tensor::view of a null pointer with shape " + shape.to_string());
    }
    return t;
  }

  // A read-only view that keeps `owner` alive as long as any copy of it lives, e.g. weights
  // used in place inside a model file's bytes.
  static Tensor view(DType dtype, const void* data, const Shape& shape,
                     std::shared_ptr<const void> owner) {
    Tensor t = view(dtype, const_cast<void*>(data), shape);
    t.owner_ = std::const_pointer_cast<void>(std::move(owner));
    t.read_only_ = true;
    return t;
  }

  // A view of the same elements with another shape of the same element count; shares ownership.
  Tensor reshaped(const Shape& shape) const {
    if (shape.numel() != numel()) {
      fail(ErrorKind::shape_mismatch, "Tensor::reshaped from " + shape_.to_string() + " to " +
                                          shape.to_string() + ": element counts differ");
    }
    Tensor t = *this;
    t.shape_ = shape;
    return t;
  }

  DType dtype() const noexcept { return dtype_; }
  const Shape& shape() const noexcept { return shape_; }
  std::size_t rank() const noexcept { return shape_.rank(); }
  std::int64_t numel() const noexcept { return shape_.numel(); }
  std::size_t nbytes() const noexcept {
    return static_cast<std::size_t>(numel()) * dtype_size(dtype_);
  }
  // True when the tensor does not own (or share ownership of) its elements.
  bool is_view() const noexcept { return owner_ == nullptr; }
  bool is_read_only() const noexcept { return read_only_; }
  bool empty() const noexcept { return data_ == nullptr; }

  template <class T>
  T* data() {
    check_type<T>();
    if (read_only_) {
      fail(ErrorKind::invalid_argument,
           "Tensor::data: writable access to a read-only view of const memory");
    }
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    check_type<T>();
    return static_cast<const T*>(data_);
  }
  const void* raw_data() const noexcept { return data_; }

  // A new owning tensor with the same dtype, shape and elements.
  Tensor clone() const {
    Tensor t(dtype_, shape_);
    copy_elements(*this, t);
    return t;
  }

  // Copies the elements of `src` into `dst` (same dtype and element count): bytes, or string
  // assignments for strings.
  static void copy_elements(const Tensor& src, Tensor& dst) {
    if (src.dtype_ != dst.dtype_ || src.numel() != dst.numel()) {
      fail(ErrorKind::invalid_argument, std::string("Tensor::copy_elements from ") +
                                            dtype_name(src.dtype_) + " " + src.shape_.to_string() +
                                            " to " + dtype_name(dst.dtype_) + " " +
                                            dst.shape_.to_string());
    }
    if (dst.read_only_) {
      fail(ErrorKind::invalid_argument, "Tensor::copy_elements into a read-only view");
    }
    if (src.data_ == dst.data_) return;
    if (src.dtype_ == DType::string) {
      const auto* s = static_cast<const std::string*>(src.data_);
      std::copy(s, s + src.numel(), static_cast<std::string*>(dst.data_));
    } else if (src.nbytes()) {
      std::memcpy(dst.data_, src.data_, src.nbytes());
    }
  }

 private:
  // The deleter of an owned string tensor: destroys the elements, then frees the memory.
  struct StringsDelete {
    std::size_t count;
    void operator()(void* p) const noexcept {
      auto* s = static_cast<std::string*>(p);
      for (std::size_t i = 0; i < count; ++i) s[i].~basic_string();
      AlignedDelete()(p);
    }
  };

  template <class T>
  void check_type() const {
    if (dtype_of_v<std::remove_const_t<T>> != dtype_) {
      fail(ErrorKind::invalid_argument, std::string("Tensor::data<") +
                                            dtype_name(dtype_of_v<std::remove_const_t<T>>) +
                                            ">() on a tensor of dtype " + dtype_name(dtype_) +
                                            " and shape " + shape_.to_string());
    }
  }

  DType dtype_ = DType::f32;
  Shape shape_;
  void* data_ = nullptr;
  std::shared_ptr<void> owner_;
  bool read_only_ = false;
};

INLAY_NAMESPACE_END

#endif  // INLAY_CORE_TENSOR_HPP
