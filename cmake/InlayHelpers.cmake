# inlay_add_implementation(<target> [PARTS <n>])
#   Adds to <target> the translation unit that defines INLAY_IMPLEMENTATION: every kernel compiled
#   once per CPU target, and the run-time dispatch tables. Call it for exactly one target of a
#   program (an executable, or a library the executable links); it also links inlay::inlay.
#   PARTS <n> splits the implementation over n translation units, which build in parallel and each
#   need less compiler memory; the default is 4 (each part then compiles in under about a minute
#   and 1.5 GB with g++ -O2), PARTS 1 makes one unit.
#   OPS <family>... (or MODELS <a.onnx>...) makes a selective build: only those op families
#   (include/inlay/graph/ops/<family>.hpp; docs/families.md) are registered, and the
#   implementation is compiled with -ffunction-sections -fdata-sections and <target> linked with
#   --gc-sections, so the kernels nothing calls are left out. MODELS asks the inlay tool
#   (INLAY_CLI_EXECUTABLE, or `inlay` on the PATH) at configure time which families the models
#   need (`inlay ops --families`); without the tool, give OPS (what `inlay ops MODEL` prints).
#   A model that needs a family left out fails at load with an inlay::Error naming it.
#   CUDA adds the CUDA implementation unit too (inlay_add_cuda_implementation): sessions may then
#   run on a GPU (SessionOptions::device = "cuda:0"; docs/cuda.md).
# inlay_add_cuda_implementation(<target>)
#   Adds the CUDA implementation unit alone (its kernels, compiled by nvcc, and its host part),
#   for a program whose CPU implementation is in another target. Needs the CUDA language enabled
#   (project(... LANGUAGES CXX CUDA) or enable_language(CUDA)) and the CUDA toolkit's cuBLAS;
#   uses cuDNN for convolutions where cudnn.h and libcudnn are found.
# inlay_embed_file(<target> <file> <symbol>)
#   Compiles the bytes of <file> (e.g. an .onnx model) into <target> as
#     extern const unsigned char <symbol>[];  extern const std::size_t <symbol>_size;
#   regenerated when the file changes. Run the model with inlay::Model::from_bytes(<symbol>,
#   <symbol>_size): no file I/O, weights used in place (examples/embed_model).
include_guard(GLOBAL)
set(_inlay_embed_script "${CMAKE_CURRENT_LIST_DIR}/InlayEmbed.cmake")
# The op registry, to check OPS names: in the source tree, or installed beside the package.
foreach(_inlay_dir "${CMAKE_CURRENT_LIST_DIR}/../include" "${CMAKE_CURRENT_LIST_DIR}/../../../include")
  if(EXISTS "${_inlay_dir}/inlay/graph/ops/registry.hpp")
    get_filename_component(_inlay_registry "${_inlay_dir}/inlay/graph/ops/registry.hpp" ABSOLUTE)
    get_filename_component(_inlay_include_dir "${_inlay_dir}" ABSOLUTE)
    break()
  endif()
endforeach()

function(_inlay_write_if_changed path content)
  set(old "")
  if(EXISTS "${path}")
    file(READ "${path}" old)
  endif()
  if(NOT old STREQUAL content)
    file(WRITE "${path}" "${content}")
  endif()
endfunction()

# The op families of a selective build: OPS as given, or what the inlay tool says MODELS need.
function(_inlay_selected_families out ops models)
  if(models)
    if(NOT INLAY_CLI_EXECUTABLE)
      find_program(INLAY_CLI_EXECUTABLE inlay)
    endif()
    if(NOT INLAY_CLI_EXECUTABLE)
      message(FATAL_ERROR "inlay_add_implementation: MODELS needs the inlay tool (set "
        "INLAY_CLI_EXECUTABLE or put inlay on the PATH); or give OPS: `inlay ops MODEL...` prints them")
    endif()
    set(paths "")
    foreach(model IN LISTS models)
      get_filename_component(path "${model}" ABSOLUTE)
      list(APPEND paths "${path}")
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${path}")
    endforeach()
    execute_process(COMMAND "${INLAY_CLI_EXECUTABLE}" ops --families ${paths}
      RESULT_VARIABLE rc OUTPUT_VARIABLE found ERROR_VARIABLE error OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "inlay_add_implementation: `inlay ops` failed on ${models}: ${error}")
    endif()
    list(APPEND ops ${found})
  endif()
  list(REMOVE_DUPLICATES ops)
  foreach(family IN LISTS ops)
    string(TOUPPER "${family}" upper)
    if(NOT family MATCHES "^[a-z0-9_]+$")
      message(FATAL_ERROR "inlay_add_implementation: '${family}' is not an op family name")
    endif()
    if(_inlay_registry)
      file(STRINGS "${_inlay_registry}" hit REGEX "defined\\(INLAY_OP_${upper}\\)")
      if(NOT hit)
        message(FATAL_ERROR "inlay_add_implementation: no op family '${family}' (docs/families.md, "
          "`inlay ops --list`)")
      endif()
    endif()
  endforeach()
  set(${out} "${ops}" PARENT_SCOPE)
endfunction()

function(inlay_add_implementation target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "CUDA" "PARTS" "OPS;MODELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "inlay_add_implementation: unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  set(selective OFF)
  set(defines "")
  if(DEFINED arg_OPS OR DEFINED arg_MODELS OR "OPS" IN_LIST arg_KEYWORDS_MISSING_VALUES
     OR "MODELS" IN_LIST arg_KEYWORDS_MISSING_VALUES)
    set(selective ON)
    _inlay_selected_families(families "${arg_OPS}" "${arg_MODELS}")
    if(NOT families)
      message(FATAL_ERROR "inlay_add_implementation: OPS/MODELS name no op family")
    endif()
    string(REPLACE ";" " " shown "${families}")
    set(defines "// A selective build with the op families ${shown}.\n#define INLAY_OPS_ONLY\n")
    foreach(family IN LISTS families)
      string(TOUPPER "${family}" upper)
      string(APPEND defines "#define INLAY_OP_${upper}\n")
    endforeach()
  endif()
  if(NOT arg_PARTS)
    set(arg_PARTS 4)
  endif()
  if(NOT arg_PARTS MATCHES "^[1-9][0-9]*$")
    message(FATAL_ERROR "inlay_add_implementation: PARTS must be a positive number, not '${arg_PARTS}'")
  endif()
  set(header "// Generated by inlay_add_implementation(${target}).\n${defines}#define INLAY_IMPLEMENTATION\n")
  set(sources "")
  if(arg_PARTS EQUAL 1)
    set(source "${CMAKE_CURRENT_BINARY_DIR}/inlay_implementation_${target}.cpp")
    _inlay_write_if_changed("${source}" "${header}#include <inlay/inlay.hpp>\n")
    list(APPEND sources "${source}")
  else()
    foreach(part RANGE 1 ${arg_PARTS})
      set(source "${CMAKE_CURRENT_BINARY_DIR}/inlay_implementation_${target}_${part}.cpp")
      _inlay_write_if_changed("${source}"
        "${header}#define INLAY_IMPLEMENTATION_PARTS ${arg_PARTS}\n#define INLAY_IMPLEMENTATION_PART ${part}\n#include <inlay/inlay.hpp>\n")
      list(APPEND sources "${source}")
    endforeach()
  endif()
  target_sources(${target} PRIVATE ${sources})
  # The unused families' kernels are unreferenced code: sections of their own, and a linker that
  # drops the sections nothing reaches, leave them out of the program (ELF toolchains).
  if(selective AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND NOT APPLE AND NOT WIN32)
    set_source_files_properties(${sources} PROPERTIES
      COMPILE_OPTIONS "-ffunction-sections;-fdata-sections")
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE" OR type STREQUAL "SHARED_LIBRARY" OR type STREQUAL "MODULE_LIBRARY")
      target_link_options(${target} PRIVATE -Wl,--gc-sections)
    else()
      target_link_options(${target} INTERFACE -Wl,--gc-sections)
    endif()
  endif()
  target_link_libraries(${target} PUBLIC inlay::inlay)
  if(arg_CUDA)
    inlay_add_cuda_implementation(${target})
  endif()
endfunction()

function(inlay_add_cuda_implementation target)
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT "CUDA" IN_LIST languages)
    message(FATAL_ERROR "inlay_add_cuda_implementation(${target}): enable the CUDA language "
      "first (project(... LANGUAGES CXX CUDA) or enable_language(CUDA))")
  endif()
  if(NOT TARGET CUDA::cublas)
    find_package(CUDAToolkit REQUIRED)
  endif()
  set(source "${CMAKE_CURRENT_BINARY_DIR}/inlay_cuda_implementation_${target}.cpp")
  _inlay_write_if_changed("${source}" "// Generated by inlay_add_cuda_implementation(${target}).\n#define INLAY_CUDA_IMPLEMENTATION\n#include <inlay/cuda/cuda_implementation.hpp>\n")
  target_sources(${target} PRIVATE "${source}" "${_inlay_include_dir}/inlay/cuda/kernels.cu")
  set_property(TARGET ${target} PROPERTY CUDA_STANDARD 17)
  target_link_libraries(${target} PUBLIC inlay::inlay CUDA::cudart CUDA::cublas)
  find_path(INLAY_CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_library(INLAY_CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR})
  if(INLAY_CUDNN_INCLUDE_DIR AND INLAY_CUDNN_LIBRARY)
    set_property(SOURCE "${source}" APPEND PROPERTY COMPILE_DEFINITIONS INLAY_CUDA_HAVE_CUDNN)
    target_include_directories(${target} SYSTEM PRIVATE "${INLAY_CUDNN_INCLUDE_DIR}")
    target_link_libraries(${target} PUBLIC "${INLAY_CUDNN_LIBRARY}")
  else()
    message(STATUS "inlay: cuDNN not found (convolutions on the GPU use im2col and cuBLAS)")
  endif()
  # A static library keeps the unit (and its registration of the GPU runner) in every program.
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "STATIC_LIBRARY" AND NOT APPLE AND NOT WIN32)
    target_link_options(${target} INTERFACE "LINKER:--undefined=inlay_cuda_implementation_anchor")
  endif()
endfunction()

function(inlay_embed_file target file symbol)
  if(NOT symbol MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "inlay_embed_file: '${symbol}' is not a C++ identifier")
  endif()
  get_filename_component(input "${file}" ABSOLUTE)
  if(NOT EXISTS "${input}")
    message(FATAL_ERROR "inlay_embed_file: ${input} does not exist")
  endif()
  set(output "${CMAKE_CURRENT_BINARY_DIR}/inlay_embed_${symbol}.cpp")
  add_custom_command(OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol}
            -P "${_inlay_embed_script}"
    DEPENDS "${input}" "${_inlay_embed_script}"
    COMMENT "Embedding ${file} as ${symbol}"
    VERBATIM)
  target_sources(${target} PRIVATE "${output}")
endfunction()
