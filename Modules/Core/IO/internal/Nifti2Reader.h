#pragma once
// NIfTI-2 (.nii / .nii.gz, 540-byte header) reading. Debian's ITK 5.2 reads only NIfTI-1, and the
// format is simple enough to read directly: header, datatype conversion, scl_slope/inter, and the
// voxel-to-world matrix by NIfTI's rules (sform if set, else qform, else pixdim).
#include <string>

#include "VolumeSeries.h"

namespace mc {

// True if the file starts with a NIfTI-2 header (either byte order).
bool isNifti2File(const std::string& path);

// Throws std::runtime_error with a one-line message naming the file.
VolumeSeries readNifti2(const std::string& path);

}  // namespace mc
