#pragma once
// Checks that a file holds at least the bytes its header promises. ITK's NIfTI reader fills the
// missing part of a truncated .nii.gz with zeros and reports success; this catches it cheaply.
#include <cstdint>
#include <string>

namespace mc {

// Throws std::runtime_error("<path>: truncated ...") if the (decompressed, for .gz) size of the file
// is below minimumBytes. For .gz the gzip trailer's size field is used (no decompression), checked
// for plausibility so that a cut stream, whose last bytes are arbitrary, is caught.
void requireFileBytes(const std::string& path, std::uint64_t minimumBytes);

// Bytes a NIfTI-1/2 file (.nii or .nii.gz) must hold: vox_offset + voxels * bitpix / 8, from the
// header as stored (ITK reports scaled integers as float, so its sizes are not the file's).
// Returns 0 when the header cannot be parsed (the reader reports that itself).
std::uint64_t niftiExpectedBytes(const std::string& path);

}  // namespace mc
