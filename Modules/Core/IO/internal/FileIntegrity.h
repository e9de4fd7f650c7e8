#pragma once
// Checks that a file holds at least the bytes its header promises, cheaply and with the reason in
// words: a cut .nii.gz can otherwise decompress "successfully" up to where it stops.
#include <cstdint>
#include <string>

namespace mc {

// Throws std::runtime_error("<path>: truncated ...") if the (decompressed, for .gz) size of the file
// is below minimumBytes. For .gz the gzip trailer's size field is used (no decompression), checked
// for plausibility so that a cut stream, whose last bytes are arbitrary, is caught.
void requireFileBytes(const std::string& path, std::uint64_t minimumBytes);

}  // namespace mc
