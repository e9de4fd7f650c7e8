#pragma once
// NIfTI-1 and NIfTI-2 (.nii / .nii.gz, either byte order) reading through nifti_clib, the format's
// reference library (Debian: libnifti2-dev). Debian's ITK 5.2 reads only NIfTI-1; this reads both,
// so one set of rules applies to every NIfTI run: the voxel-to-world matrix is the sform if its code
// is set, else the qform, else the pixdim diagonal; scl_slope/inter are applied (a zero or
// non-finite slope means none); the frame interval is pixdim[4] in the file's time unit, 0 when the
// file stores 0.
//
// NIfTI-1 goes through here too rather than through ITK, by measurement (benchmark/
// NiftiReaderComparison, Release, this 2-core machine, best of 5 reads, ITK s -> nifti_clib s):
//   the five real files of ../shared/data and 7 generated runs (oblique, int16 scaled, qform only,
//   big-endian): every voxel identical; the matrix differs by at most 1.9e-7 mm (ITK rebuilds it
//   from float spacing and an orthonormalised direction; nifti_clib gives the header's sform as
//   stored); TR and stored type identical.
//   64x64x33x200 float run: .nii.gz 1.82 -> 1.33, .nii 1.79 -> 1.26; studyforrest (80x80x35x156,
//   int16 scaled) 2.82 -> 1.43; pydecnef 2.21 -> 1.01; colin27 3D 0.58 -> 0.06.
// So: as correct, and faster. NIfTI-2 reads identically to the former own reader (matrix, voxels,
// TR and type equal on sform/qform/pixdim, int16 scaled, uint8, float64 with an extension, and the
// big-endian copies it refused).
#include <string>

#include "VolumeSeries.h"

namespace mc {

// True for the names nifti_clib reads here: .nii and .nii.gz.
bool isNiftiPath(const std::string& path);

// A 4D run of scalars. Throws std::runtime_error with a one-line message naming the file: not
// NIfTI, not 4D, more than 4 dimensions, an unsupported datatype, or fewer bytes than the header
// promises (a truncated .nii or .nii.gz).
VolumeSeries readNiftiRun(const std::string& path);

// A 3D volume, or the first frame of a 4D file when allowFirstFrame (else a 4D file is an error).
Volume readNiftiVolume(const std::string& path, bool allowFirstFrame);

}  // namespace mc
