# Builds and runs one consumer of inlay, and checks the line it prints.
#   KIND=cmake:    configure and build the CMake project SOURCE (extra cache arguments in ARGS,
#                  separated by '|'), run its program PROGRAM.
#   KIND=configure: only configure SOURCE; its configure output must match EXPECT.
#   KIND=compiler: compile SOURCES ('|'-separated) with FLAGS ('|'-separated) and run the result.
#   KIND=pkgconfig: the same, with the flags `pkg-config --cflags --libs inlay` gives for the
#                  inlay.pc in PKG_CONFIG_DIR (and no other inlay.pc).
# Common arguments: CXX (compiler), BUILD_TYPE (none: no optimization), WORK_DIR (emptied first),
# PROGRAM_ARGS (the program's arguments, '|'-separated), EXPECT (a regex that the program's output
# must match).
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run what)  # run(<description> COMMAND ...): fails the test when the command fails
  execute_process(${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

if(KIND STREQUAL "cmake" OR KIND STREQUAL "configure")
  string(REPLACE "|" ";" args "${ARGS}")
  set(generator)
  if(GENERATOR)
    set(generator -G "${GENERATOR}")
  endif()
  run("configuring ${SOURCE}" COMMAND "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${WORK_DIR}"
    ${generator} "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" ${args})
  if(KIND STREQUAL "configure")
    if(NOT out MATCHES "${EXPECT}")
      message(FATAL_ERROR "configuring ${SOURCE} did not print '${EXPECT}':\n${out}")
    endif()
    message(STATUS "configure printed: ${CMAKE_MATCH_0}")
    return()
  endif()
  set(config)
  if(BUILD_TYPE)
    set(config --config "${BUILD_TYPE}")
  endif()
  run("building ${SOURCE}" COMMAND "${CMAKE_COMMAND}" --build "${WORK_DIR}" ${config})
  set(program "${WORK_DIR}/${PROGRAM}")
  if(NOT EXISTS "${program}")
    set(program "${WORK_DIR}/${BUILD_TYPE}/${PROGRAM}")  # multi-config generators
  endif()
elseif(KIND STREQUAL "compiler" OR KIND STREQUAL "pkgconfig")
  string(REPLACE "|" ";" sources "${SOURCES}")
  string(REPLACE "|" ";" flags "${FLAGS}")
  if(KIND STREQUAL "pkgconfig")
    find_program(PKG_CONFIG NAMES pkg-config pkgconf REQUIRED)
    set(ENV{PKG_CONFIG_PATH} "${PKG_CONFIG_DIR}")
    run("pkg-config --modversion inlay" COMMAND "${PKG_CONFIG}" --modversion inlay)
    string(STRIP "${out}" version)
    if(NOT version STREQUAL VERSION)
      message(FATAL_ERROR "inlay.pc says version '${version}', expected '${VERSION}'")
    endif()
    run("pkg-config --cflags --libs inlay" COMMAND "${PKG_CONFIG}" --cflags --libs inlay)
    string(STRIP "${out}" pc_flags)
    message(STATUS "pkg-config --cflags --libs inlay: ${pc_flags}")
    separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
    list(APPEND flags ${pc_flags})
  endif()
  set(program "${WORK_DIR}/consumer")
  run("compiling ${sources}" COMMAND "${CXX}" ${sources} ${flags} -o "${program}"
    WORKING_DIRECTORY "${WORK_DIR}")
else()
  message(FATAL_ERROR "consumer_test.cmake: unknown KIND '${KIND}'")
endif()

string(REPLACE "|" ";" program_args "${PROGRAM_ARGS}")
run("running ${program}" COMMAND "${program}" ${program_args})
message(STATUS "${program} printed: ${out}")
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "the consumer's output does not match '${EXPECT}'")
endif()
