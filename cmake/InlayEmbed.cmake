# Script mode (cmake -P): writes a C++ source holding the bytes of INPUT as an array SYMBOL and
# its size SYMBOL_size. Run at build time by inlay_embed_file (InlayHelpers.cmake).
#   cmake -DINPUT=model.onnx -DOUTPUT=model.cpp -DSYMBOL=name -P InlayEmbed.cmake
if(NOT DEFINED INPUT OR NOT DEFINED OUTPUT OR NOT DEFINED SYMBOL)
  message(FATAL_ERROR "InlayEmbed.cmake needs -DINPUT, -DOUTPUT and -DSYMBOL")
endif()
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
# Two hex digits per byte -> "0x..," with a line break every 16 bytes.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT} by InlayEmbed.cmake; do not edit.\n"
  "#include <cstddef>\n"
  "// 64-byte aligned like inlay's own buffers.\n"
  "alignas(64) extern const unsigned char ${SYMBOL}[] = {\n${bytes}0};\n"
  "extern const std::size_t ${SYMBOL}_size = ${size};\n")
