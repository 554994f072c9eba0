#include <string>

#include "test_util.hpp"

TEST_CASE("The best target is chosen by default and others can be forced", "[cpu_target]") {
  const auto targets = inlay::available_cpu_targets();
  REQUIRE(!targets.empty());
  inlay::set_cpu_target("best");
  CHECK(std::string(inlay::cpu_target()) == targets.front());
  for (const std::string& t : targets) {
    inlay::set_cpu_target(t);
    CHECK(std::string(inlay::cpu_target()) == t);
  }
  // Names are case-insensitive.
  std::string lower = targets.back();
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  inlay::set_cpu_target(lower);
  CHECK(std::string(inlay::cpu_target()) == targets.back());
  inlay::set_cpu_target("");
  CHECK(std::string(inlay::cpu_target()) == targets.front());
}

TEST_CASE("An unknown target is an error that lists the available ones", "[cpu_target]") {
  CHECK_THROWS_WITH(inlay::set_cpu_target("AVX9000"),
                    Catch::Matchers::Contains("AVX9000") &&
                        Catch::Matchers::Contains(inlay::available_cpu_targets().front()));
  CHECK(std::string(inlay::cpu_target()) == inlay::available_cpu_targets().front());
}

#if defined(__x86_64__) || defined(_M_X64)
TEST_CASE("x86-64 builds always have the portable fallback target", "[cpu_target]") {
  // Compiled-in but unsupported targets are not listed, so only check what every x86-64 CPU has.
  const auto targets = inlay::available_cpu_targets();
  // GCC < 12.3 gets SCALAR instead of EMU128 (a GCC bug Highway works around).
  CHECK((targets.back() == "EMU128" || targets.back() == "SCALAR"));
}
#endif
