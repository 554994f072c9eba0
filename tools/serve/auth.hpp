// Bearer-token authentication (RFC 6750): a request passes when its Authorization header is
// "Bearer TOKEN" with the configured token. The comparison takes the same time wherever the
// first differing byte is, so response times do not reveal how much of a guess was right.
#pragma once

#include <cctype>
#include <cstddef>
#include <string>

namespace inlay_serve {

inline bool same_secret(const std::string& a, const std::string& b) {
  // Runs over the longer length in every case; only the lengths' equality leaks.
  const std::size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

// True when no token is required, or `authorization` (the header's value) carries it.
inline bool authorized(const std::string& token, const std::string& authorization) {
  if (token.empty()) return true;
  const std::string scheme = "Bearer ";
  if (authorization.size() < scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i])))
      return false;
  }
  return same_secret(authorization.substr(scheme.size()), token);
}

}  // namespace inlay_serve
