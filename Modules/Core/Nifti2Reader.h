#pragma once
// NIfTI-2 (.nii / .nii.gz, 540-byte header) reading. Debian's ITK 5.2 reads only NIfTI-1, and the
// format is simple enough to read directly: header, datatype conversion, scl_slope/inter, and the
// voxel-to-world matrix by NIfTI's rules (sform if set, else qform, else pixdim).
#include <string>

#include "VolumeSeries.h"

namespace mc {

// True if the file starts with a NIfTI-2 header (either byte order).
bool isNifti2File(const std::string& path);

// Frames in a NIfTI-1/2 file (.nii or .nii.gz, either byte order) from its header alone (dim[0],
// dim[4]): 1 for a 3D image, N for a 4D one; -1 when the file is missing, not NIfTI, or has more
// than 4 dimensions (vectors, tensors). Cheap enough for a file dialog deciding who reads a file.
int niftiFrameCount(const std::string& path);

// Throws std::runtime_error with a one-line message naming the file.
VolumeSeries readNifti2(const std::string& path);

}  // namespace mc
