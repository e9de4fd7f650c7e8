#pragma once
// Reading and writing runs and volumes. NIfTI-1/2 (.nii, .nii.gz) is read and written by the
// project's own code with libdeflate (parallel, multi-member gzip); NRRD goes through ITK, which
// appears nowhere else. World coordinates are RAS (NIfTI's), converted from ITK's LPS at the boundary.
#include <memory>
#include <stdexcept>
#include <string>

#include "VolumeSeries.h"

namespace mc {

// Every IO failure: the message is one line that names the file and the problem.
class ImageIOError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A 4D run, voxels as float (scl_slope/inter applied; storedType/storedSlope/storedIntercept say
// how the file held them). A 3D file is rejected (it is not a run). `threads` decompress in
// parallel (0 = all cores); the voxels do not depend on it.
VolumeSeries readVolumeSeries(const std::string& path, int threads = 0);
// A 3D volume (or the first frame of a 4D one when allowFirstFrame). repetitionTime, if given,
// gets the header's TR in seconds (0 when it says none, as a 3D NIfTI does).
Volume readVolume(const std::string& path, bool allowFirstFrame = false, double* repetitionTime = nullptr);

// Writes atomically: a temporary file beside the target, renamed into place when complete.
// `type` Float32 writes float; another type rounds and clamps to it.
void writeVolumeSeries(const std::string& path, const VolumeSeries& run, StoredType type = StoredType::Float32);
void writeVolumeSeries(const std::string& path, const VolumeSeries& run, const StoredFormat& format, int threads = 0);
void writeVolume(const std::string& path, const Volume& volume, double repetitionTime = 0,
                 StoredType type = StoredType::Float32);

// Writes a run frame by frame, in frame order, while later frames are still being computed: each
// frame is converted to `format`, compressed (.nii.gz: fixed-size blocks as concatenated gzip
// members, on `threads` background threads, 0 = all cores) and written as it comes, so neither the
// whole output nor its compressed copy is ever held; writeFrame blocks when a bounded number of
// blocks are in flight. The bytes written do not depend on `threads`. NIfTI streams; a .nrrd is
// collected and written by finish(). It writes `path` itself, not atomically: pass a temporary
// (OutputTransaction::stagePath) for that. A NIfTI stream is written to a file with no name
// (O_TMPFILE, where the file system has it) that finish() names `path`, so a SIGKILL mid-stream
// leaves nothing. Errors are ImageIOError naming `path` (or `displayName`).
class VolumeSeriesWriter {
public:
  VolumeSeriesWriter(const std::string& path, const ImageGeometry& geometry, int frames, double repetitionTime,
                     const StoredFormat& format = {}, int threads = 0, const std::string& displayName = {});
  ~VolumeSeriesWriter();  // before finish(): stops the threads and removes the partial file
  VolumeSeriesWriter(const VolumeSeriesWriter&) = delete;
  VolumeSeriesWriter& operator=(const VolumeSeriesWriter&) = delete;
  void writeFrame(const float* voxels);  // frameSize() floats; frame 0, 1, ... in order
  void finish();                         // after the last frame: flushes and closes the file

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Frames in a NIfTI-1/2 file (.nii or .nii.gz, either byte order) from its header alone (dim[0],
// dim[4]): 1 for a 3D image, N for a 4D one; -1 when the file is missing, not NIfTI, or has more
// than 4 dimensions (vectors, tensors). Cheap enough for a file dialog deciding who reads a file.
int niftiFrameCount(const std::string& path);

// The TR in seconds from a NIfTI file's header alone (pixdim[4], in xyzt_units); 0 when the header
// gives none or the file is not NIfTI.
double niftiRepetitionTime(const std::string& path);

// True for the extensions the IO layer reads and writes (.nii, .nii.gz, .nrrd, .nhdr).
bool isSupportedImagePath(const std::string& path);

// DICOM, one file per volume (a real-time export's form; .dcm), read through ITK's GDCM by
// readVolume (the rescale slope and intercept applied; world coordinates from the image position
// and orientation). Not a run format: a multi-file series is not assembled here.
bool isDicomPath(const std::string& path);
// Writes a volume as one DICOM file (Enhanced MR Image Storage, int16 voxels rounded and clamped),
// atomically; for ReplayRun and tests standing in for a scanner's DICOM export. A left-handed grid
// is stored with its slices reversed (DICOM's slice axis is the normal of rows and columns):
// readVolume gives the same voxels at the same world positions, in that order.
void writeDicomVolume(const std::string& path, const Volume& volume);

}  // namespace mc
