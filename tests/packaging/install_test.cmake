# Installs the build tree into a fresh PREFIX (the fixture of the consumer tests) and checks that
# every file a consumer needs is there. Arguments: BUILD_DIR, PREFIX, CONFIG.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
  --config "${CONFIG}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed:\n${out}${err}")
endif()
foreach(file
    include/inlay/inlay.hpp
    include/inlay/core/config.hpp
    include/inlay/impl/implementation.hpp
    include/inlay-single/inlay/inlay.hpp
    share/cmake/inlay/inlay-config.cmake
    share/cmake/inlay/inlay-config-version.cmake
    share/cmake/inlay/inlay-targets.cmake
    share/cmake/inlay/InlayHelpers.cmake
    share/pkgconfig/inlay.pc)
  if(NOT EXISTS "${PREFIX}/${file}")
    message(FATAL_ERROR "cmake --install did not install ${file}")
  endif()
endforeach()
# The single header must be the generated one, not a copy of the modular umbrella.
file(STRINGS "${PREFIX}/include/inlay-single/inlay/inlay.hpp" first LIMIT_COUNT 1)
if(NOT first MATCHES "inlay single header")
  message(FATAL_ERROR "include/inlay-single/inlay/inlay.hpp is not the single header: ${first}")
endif()
message(STATUS "installed into ${PREFIX}")
