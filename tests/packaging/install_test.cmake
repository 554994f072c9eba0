# The README's install commands (the fixture of the consumer tests): configure SOURCE_DIR in
# WORK_DIR without tests and examples, `cmake --install` it into a fresh PREFIX, and check that
# every file a consumer needs is there. Arguments: SOURCE_DIR, WORK_DIR, PREFIX, CXX, GENERATOR,
# CONFIG, and OPTIONS (more configure arguments, '|'-separated).
file(REMOVE_RECURSE "${WORK_DIR}" "${PREFIX}")
string(REPLACE "|" ";" options "${OPTIONS}")
foreach(step configure install)
  if(step STREQUAL "configure")
    set(command "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}" -G "${GENERATOR}"
      "-DCMAKE_CXX_COMPILER=${CXX}" -DINLAY_BUILD_TESTS=OFF -DINLAY_BUILD_EXAMPLES=OFF ${options})
  else()
    set(command "${CMAKE_COMMAND}" --install "${WORK_DIR}" --prefix "${PREFIX}"
      --config "${CONFIG}")
  endif()
  execute_process(COMMAND ${command} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step} failed:\n${out}${err}")
  endif()
endforeach()
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
