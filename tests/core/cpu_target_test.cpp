#include <cstdlib>
#include <string>

#include "test_util.hpp"

TEST_CASE("The best target is chosen by default and others can be forced", "[core/cpu_target]") {
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

TEST_CASE("An unknown target is an error that lists the available ones", "[core/cpu_target]") {
  CHECK_THROWS_WITH(inlay::set_cpu_target("AVX9000"),
                    Catch::Matchers::Contains("AVX9000") &&
                        Catch::Matchers::Contains(inlay::available_cpu_targets().front()));
  CHECK(std::string(inlay::cpu_target()) == inlay::available_cpu_targets().front());
}

#if defined(__x86_64__) || defined(_M_X64)
TEST_CASE("x86-64 builds always have the portable fallback target", "[core/cpu_target]") {
  // Compiled-in but unsupported targets are not listed, so only check what every x86-64 CPU has.
  const auto targets = inlay::available_cpu_targets();
  // GCC < 12.3 gets SCALAR instead of EMU128 (a GCC bug Highway works around).
  CHECK((targets.back() == "EMU128" || targets.back() == "SCALAR"));
}
#endif

// These two run in processes of their own (see tests/CMakeLists.txt), where the variable is set
// before inlay's first kernel call; hidden ([.]) so the main run skips them.
TEST_CASE("INLAY_CPU_TARGET forces the target at first use", "[.cpu_target_env]") {
  const char* env = std::getenv("INLAY_CPU_TARGET");
  REQUIRE(env != nullptr);
  CHECK(std::string(inlay::cpu_target()) == env);
  inlay::set_cpu_target("best");
  CHECK(std::string(inlay::cpu_target()) == inlay::available_cpu_targets().front());
}

TEST_CASE("An unknown INLAY_CPU_TARGET is an error naming the variable",
          "[.cpu_target_env_invalid]") {
  CHECK_THROWS_WITH(inlay::cpu_target(),
                    Catch::Matchers::Contains("environment variable INLAY_CPU_TARGET") &&
                        Catch::Matchers::Contains("NOT_A_TARGET"));
}
