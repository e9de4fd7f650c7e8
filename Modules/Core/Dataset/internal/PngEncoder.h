#pragma once
// The report's images as data: URIs, so the page needs no file beside it. A minimal PNG writer
// (8-bit grayscale, one zlib stream) is all a mean slice needs; zlib is already a dependency.
#include <cstdint>
#include <string>
#include <vector>

namespace mc::report {

// PNG bytes of a width x height 8-bit grayscale image, rows top to bottom.
std::string encodeGrayscalePng(int width, int height, const std::vector<std::uint8_t>& pixels);

std::string base64(const std::string& bytes);

// "data:image/png;base64,..." of encodeGrayscalePng.
std::string grayscalePngDataUri(int width, int height, const std::vector<std::uint8_t>& pixels);

}  // namespace mc::report
