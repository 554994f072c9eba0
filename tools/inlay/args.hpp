// Command-line arguments of the `inlay` tool: a usage error is an exception that main() turns into
// one line on stderr and exit code 1.
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace inlay_cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void usage_error(const std::string& message) { throw UsageError(message); }

// Walks the arguments of one command; value() takes the argument after an option.
class ArgReader {
 public:
  explicit ArgReader(std::vector<std::string> args) : args_(std::move(args)) {}
  bool done() const { return i_ >= args_.size(); }
  const std::string& next() { return args_[i_++]; }
  // The value of option `flag`, which was just read.
  const std::string& value(const std::string& flag) {
    if (done()) usage_error(flag + " needs a value");
    return next();
  }
  // The arguments after `flag` up to the next one that starts with '-' (at least one).
  std::vector<std::string> values(const std::string& flag) {
    std::vector<std::string> out;
    while (!done() && !(args_[i_].size() > 1 && args_[i_][0] == '-')) out.push_back(next());
    if (out.empty()) usage_error(flag + " needs at least one value");
    return out;
  }

 private:
  std::vector<std::string> args_;
  std::size_t i_ = 0;
};

inline bool is_option(const std::string& a) { return a.size() > 1 && a[0] == '-'; }

inline double parse_number(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0) || v > 1e300) {
    usage_error(flag + " needs a number >= 0, not '" + text + "'");
  }
  return v;
}

inline long parse_count(const std::string& flag, const std::string& text, long min, long max) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < min || v > max) {
    usage_error(flag + " needs a whole number from " + std::to_string(min) + " to " +
                std::to_string(max) + ", not '" + text + "'");
  }
  return v;
}

}  // namespace inlay_cli
