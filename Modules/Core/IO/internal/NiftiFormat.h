#pragma once
// NIfTI-1 (348-byte header) and NIfTI-2 (540-byte header) single files (.nii, .nii.gz), either byte
// order, read and written by the project's own code: headers, datatype conversion with
// scl_slope/scl_inter, and the voxel-to-world matrix exactly as ITK 5.2's NiftiImageIO derives it
// (3D Slicer reads the same files through ITK, so both must see the same geometry). Gzip goes
// through Gzip.h (libdeflate, parallel).
//
// Why not nifti_clib (Debian libnifti2-dev), measured on 2026-12-02: its libnifti2/libznz export
// the same unversioned C functions (nifti_image_read, znzopen, ...) as the NIfTI library bundled in
// ITK (libITKniftiio, which ITK's NIfTI-1 IO, and every Slicer process, loads), with NIfTI-2's
// structs. In one process the dynamic linker binds each call to whichever copy loaded first: with
// libnifti2.so linked, ITK read a 4D NIfTI-1 header as "has 156 dimensions" and every NIfTI write
// failed ("nifti_image_write_hdr_img: bad fname input"; 15 logic tests, 4 panel tests and the
// install-tree test failed in the Kit build). Making our copy private needs a position-independent
// static archive linked with hidden symbols, but Debian's libnifti2.a is not PIC, so the shared
// libraries of an extension cannot link it. It also reads through zlib on one thread (64x64x33x200
// .nii.gz: 1.33 s, ITK 1.82 s), which is what this code replaces.
#include <cstdint>
#include <memory>
#include <string>

#include "VolumeSeries.h"

namespace mc {
namespace nifti {

struct Header {
  int version = 1;           // 1 or 2
  bool swapped = false;      // the file's byte order is not ours
  std::size_t headerBytes = 348;
  int datatype = 0, bitpix = 0;
  std::int64_t dim[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  double pixdim[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::uint64_t voxOffset = 352;  // where the voxels start (a too small vox_offset is read as the header's end)
  double slope = 0, inter = 0;
  int qformCode = 0, sformCode = 0;
  double quatern[3] = {0, 0, 0}, qoffset[3] = {0, 0, 0};
  double srow[3][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
  int xyztUnits = 0;
  StoredType type = StoredType::Other;
  std::size_t bytesPerVoxel = 0;

  std::uint64_t voxelCount() const;  // every dimension of dim[1..dim[0]]
  std::uint64_t dataBytes() const { return voxelCount() * bytesPerVoxel; }
  int frames() const { return dim[0] >= 4 ? int(dim[4]) : 1; }
  bool scaled() const;  // scl_slope/scl_inter change the values (ITK's rule)
};

// Parses the first `got` bytes of a (decompressed) file. Throws ImageIOError naming the file and the
// field: a short or bad header, a bad sizeof_hdr or magic, dim <= 0, an unsupported datatype.
Header parseHeader(const std::string& path, const unsigned char* bytes, std::size_t got);
// The header of a .nii or .nii.gz file.
Header readHeader(const std::string& path);

// The grid as ITK 5.2 reads it (sform or qform by its rules, directions normalized, spacing from
// pixdim), in RAS.
ImageGeometry geometryOf(const std::string& path, const Header& h);
double repetitionTimeOf(const Header& h);  // pixdim[4] in seconds

// The whole file as floats: voxels in file order (frames after frames). Checks the size the header
// claims against the file before allocating; refuses truncated files. `threads` 0 = all cores.
VolumeSeries readSeries(const std::string& path, int threads);

// A 352-byte NIfTI-1 header (348 + the empty extension flag) as ITK 5.2 writes it: qform and sform
// both from voxelToWorld (codes 1), pixdim, TR in pixdim[4], xyzt_units mm + s.
std::string encodeHeader(const ImageGeometry& g, int frames, double repetitionTime, const StoredFormat& format);

// Streams a run into `path` (.nii or .nii.gz): see VolumeSeriesWriter in ImageIO.h.
class StreamWriter {
public:
  StreamWriter(const std::string& path, const std::string& displayName, const ImageGeometry& g, int frames,
               double repetitionTime, const StoredFormat& format, int threads);
  ~StreamWriter();
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;
  void writeFrame(const float* voxels);
  void finish();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nifti
}  // namespace mc
