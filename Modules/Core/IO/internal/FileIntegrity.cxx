#include "FileIntegrity.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>


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

}  // namespace mc
