// The weights file (format in nn/fit.hpp) and writing bytes to a file.
#ifndef INLAY_NN_IMPL_SERIALIZE_HPP
#define INLAY_NN_IMPL_SERIALIZE_HPP

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/nn/fit.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace {
constexpr char weights_magic[8] = {'I', 'N', 'L', 'A', 'Y', 'N', 'N', '\0'};
constexpr std::uint32_t weights_version = 1;

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Reads little-endian fields, failing with the source's name and offset past the end.
struct Reader {
  const unsigned char* p;
  std::size_t size, pos = 0;
  const std::string& source;
  void need(std::size_t n, const char* what) {
    if (size - pos < n) {
      fail(ErrorKind::invalid_model, source + ": weights file ends inside " + what + " (offset " +
                                         std::to_string(pos) + ", " + std::to_string(size) +
                                         " bytes)");
    }
  }
  std::uint64_t le(int bytes, const char* what) {
    need(static_cast<std::size_t>(bytes), what);
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v |= static_cast<std::uint64_t>(p[pos + static_cast<std::size_t>(i)]) << (8 * i);
    pos += static_cast<std::size_t>(bytes);
    return v;
  }
};

std::string read_file_bytes(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail(ErrorKind::io, "cannot open " + path + " for reading");
  std::string bytes;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) fail(ErrorKind::io, "cannot read " + path);
  return bytes;
}
}  // namespace

std::string serialize_params(const std::vector<Param>& params) {
  std::string out(weights_magic, sizeof weights_magic);
  put_le(out, weights_version, 4);
  put_le(out, params.size(), 4);
  for (const Param& p : params) {
    put_le(out, p.name.size(), 4);
    out += p.name;
    put_le(out, p.size, 8);
    for (std::size_t i = 0; i < p.size; ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, &p.value[i], 4);
      put_le(out, bits, 4);
    }
  }
  return out;
}

namespace {
// Checks and reads the parameters at the front of `data`; returns the bytes they take.
std::size_t read_params(const std::vector<Param>& params, const void* data, std::size_t size,
                        const std::string& source, bool whole) {
  Reader r{static_cast<const unsigned char*>(data), size, 0, source};
  r.need(sizeof weights_magic, "the magic");
  if (std::memcmp(r.p, weights_magic, sizeof weights_magic) != 0) {
    fail(ErrorKind::invalid_model, source + ": not an inlay weights file (bad magic)");
  }
  r.pos = sizeof weights_magic;
  const std::uint64_t version = r.le(4, "the version");
  if (version != weights_version) {
    fail(ErrorKind::invalid_model, source + ": weights format version " + std::to_string(version) +
                                       ", this inlay reads version " +
                                       std::to_string(weights_version));
  }
  const std::uint64_t count = r.le(4, "the parameter count");
  if (count != params.size()) {
    fail(ErrorKind::invalid_model, source + ": holds " + std::to_string(count) +
                                       " parameters, the network has " +
                                       std::to_string(params.size()));
  }
  // Check everything before writing anything, so a bad file leaves the network unchanged.
  std::vector<std::size_t> offsets;
  for (const Param& p : params) {
    const std::uint64_t len = r.le(4, "a parameter name's length");
    r.need(len, "a parameter name");
    const std::string name(reinterpret_cast<const char*>(r.p + r.pos), len);
    r.pos += len;
    if (name != p.name) {
      fail(ErrorKind::invalid_model,
           source + ": parameter '" + name + "' where the network has '" + p.name + "'");
    }
    const std::uint64_t n = r.le(8, "a parameter's size");
    if (n != p.size) {
      fail(ErrorKind::invalid_model, source + ": parameter '" + name + "' has " +
                                         std::to_string(n) + " values, the network's has " +
                                         std::to_string(p.size));
    }
    r.need(n * 4, "a parameter's values");
    offsets.push_back(r.pos);
    r.pos += n * 4;
  }
  if (whole && r.pos != size) {
    fail(ErrorKind::invalid_model,
         source + ": " + std::to_string(size - r.pos) + " bytes past the last parameter");
  }
  const std::size_t end = r.pos;
  for (std::size_t k = 0; k < params.size(); ++k) {
    r.pos = offsets[k];
    for (std::size_t i = 0; i < params[k].size; ++i) {
      const auto bits = static_cast<std::uint32_t>(r.le(4, "a value"));
      std::memcpy(&params[k].value[i], &bits, 4);
    }
  }
  return end;
}
}  // namespace

void deserialize_params(const std::vector<Param>& params, const void* data, std::size_t size,
                        const std::string& source) {
  read_params(params, data, size, source, true);
}

void save_bytes(const std::string& bytes, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) fail(ErrorKind::io, "cannot open " + path + " for writing");
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok) fail(ErrorKind::io, "cannot write " + path);
}

void save_params(const std::vector<Param>& params, const std::string& path) {
  save_bytes(serialize_params(params), path);
}

void load_params(const std::vector<Param>& params, const std::string& path) {
  const std::string bytes = read_file_bytes(path);
  deserialize_params(params, bytes.data(), bytes.size(), path);
}

void save_params(const std::vector<Param>& params, const data::Pipeline& preprocessing,
                 const std::string& path) {
  save_bytes(serialize_params(params) + preprocessing.serialize(), path);
}

void load_params(const std::vector<Param>& params, data::Pipeline& preprocessing,
                 const std::string& path) {
  const std::string bytes = read_file_bytes(path);
  // Read both parts before changing anything: the parameters into a copy first.
  std::vector<std::vector<float>> values;
  std::vector<Param> scratch = params;
  for (Param& p : scratch) {
    values.emplace_back(p.size);
    p.value = values.back().data();
  }
  const std::size_t used = read_params(scratch, bytes.data(), bytes.size(), path, false);
  if (used == bytes.size()) {
    fail(ErrorKind::invalid_model, path +
                                       ": no preprocessing pipeline after the parameters "
                                       "(saved by save_weights(net, path) without one)");
  }
  data::Pipeline pipeline;
  const std::size_t tail =
      data::Pipeline::deserialize(bytes.data() + used, bytes.size() - used, path, pipeline);
  if (used + tail != bytes.size()) {
    fail(ErrorKind::invalid_model, path + ": " + std::to_string(bytes.size() - used - tail) +
                                       " bytes past the preprocessing pipeline");
  }
  for (std::size_t k = 0; k < params.size(); ++k) {
    std::copy(values[k].begin(), values[k].end(), params[k].value);
  }
  preprocessing = std::move(pipeline);
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_SERIALIZE_HPP
