#pragma once
// Reading and writing runs through ITK (NIfTI-1/2 .nii/.nii.gz, NRRD). The only place ITK appears.
// World coordinates are converted from ITK's LPS to NIfTI's RAS here, at the boundary.
#include <stdexcept>
#include <string>

#include "VolumeSeries.h"

namespace mc {

// Every IO failure: the message is one line that names the file and the problem.
class ImageIOError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A 4D run, voxels as float (scl_slope/inter applied). A 3D file is rejected (it is not a run).
VolumeSeries readVolumeSeries(const std::string& path);
// A 3D volume (or the first frame of a 4D one when allowFirstFrame).
Volume readVolume(const std::string& path, bool allowFirstFrame = false);

// Writes atomically: a temporary file beside the target, renamed into place when complete.
// `type` Float32 writes float; another type rounds and clamps to it.
void writeVolumeSeries(const std::string& path, const VolumeSeries& run, StoredType type = StoredType::Float32);
void writeVolume(const std::string& path, const Volume& volume, double repetitionTime = 0,
                 StoredType type = StoredType::Float32);

// Frames in a NIfTI-1/2 file (.nii or .nii.gz, either byte order) from its header alone (dim[0],
// dim[4]): 1 for a 3D image, N for a 4D one; -1 when the file is missing, not NIfTI, or has more
// than 4 dimensions (vectors, tensors). Cheap enough for a file dialog deciding who reads a file.
int niftiFrameCount(const std::string& path);

// True for the extensions the IO layer understands (.nii, .nii.gz, .nrrd, .nhdr).
bool isSupportedImagePath(const std::string& path);

}  // namespace mc
