#include "FileIntegrity.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <cstring>
#include <stdexcept>

#include <zlib.h>

namespace mc {

void requireFileBytes(const std::string& path, std::uint64_t minimumBytes) {
  namespace fs = std::filesystem;
  const std::uint64_t onDisk = fs::file_size(path);
  const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  if (!gz) {
    if (onDisk < minimumBytes)
      throw std::runtime_error(path + ": truncated file (" + std::to_string(onDisk) + " bytes, the header needs " +
                               std::to_string(minimumBytes) + ")");
    return;
  }
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  if (magic[0] != 0x1f || magic[1] != 0x8b) return;  // not gzip after all: leave it to the reader
  unsigned char t[4] = {0, 0, 0, 0};
  in.seekg(-4, std::ios::end);
  in.read(reinterpret_cast<char*>(t), 4);
  // ISIZE: uncompressed size modulo 2^32. A complete stream stores the size of what the header
  // describes plus little more (header, extensions).
  const std::uint64_t isize = std::uint64_t(t[0]) | std::uint64_t(t[1]) << 8 | std::uint64_t(t[2]) << 16 |
                              std::uint64_t(t[3]) << 24;
  const std::uint64_t expect = minimumBytes & 0xffffffffULL;
  const bool plausible = isize >= expect && isize - expect < (1u << 24);
  if (!plausible && minimumBytes < (1ULL << 32))
    throw std::runtime_error(path + ": truncated or corrupt .gz (the stream does not hold the " +
                             std::to_string(minimumBytes) + " bytes the header describes)");
}

std::uint64_t niftiExpectedBytes(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files too
  if (!f) return 0;
  unsigned char h[544];
  const int got = gzread(f, h, sizeof h);
  gzclose(f);
  if (got < 348) return 0;
  std::int32_t size1;
  std::memcpy(&size1, h, 4);
  std::uint64_t voxels = 1, offset = 0;
  int bitpix = 0;
  if (size1 == 348) {  // NIfTI-1 (little-endian; byte-swapped files are left to the reader)
    std::int16_t dim[8], bp;
    float vox;
    std::memcpy(dim, h + 40, sizeof dim);
    std::memcpy(&bp, h + 72, 2);
    std::memcpy(&vox, h + 108, 4);
    if (dim[0] < 1 || dim[0] > 7) return 0;
    for (int i = 1; i <= dim[0]; ++i) voxels *= std::uint64_t(std::max<std::int16_t>(dim[i], 1));
    bitpix = bp;
    offset = std::uint64_t(std::max(vox, 348.0f));
  } else if (size1 == 540 && got >= 540) {  // NIfTI-2
    std::int64_t dim[8], vox;
    std::int16_t bp;
    std::memcpy(dim, h + 16, sizeof dim);
    std::memcpy(&bp, h + 14, 2);
    std::memcpy(&vox, h + 168, 8);
    if (dim[0] < 1 || dim[0] > 7) return 0;
    for (int i = 1; i <= dim[0]; ++i) voxels *= std::uint64_t(std::max<std::int64_t>(dim[i], 1));
    bitpix = bp;
    offset = std::uint64_t(std::max<std::int64_t>(vox, 540));
  } else {
    return 0;
  }
  if (bitpix <= 0) return 0;
  return offset + voxels * std::uint64_t(bitpix) / 8;
}

}  // namespace mc
