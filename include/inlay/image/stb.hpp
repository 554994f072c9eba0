// stb_image compiled into inlay's implementation unit with internal linkage (STB_IMAGE_STATIC),
// so a program that has its own copy of stb_image links without clashes. A system header to the
// compiler: warnings in stb's code are not the program's.
#ifndef INLAY_IMAGE_STB_HPP
#define INLAY_IMAGE_STB_HPP

#if defined(__GNUC__)
#pragma GCC system_header
#endif

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

#endif  // INLAY_IMAGE_STB_HPP
