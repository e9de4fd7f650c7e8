#include "NiftiReader.h"
#include "ImageIO.h"  // niftiFrameCount is public

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <nifti2_io.h>

#include "FileIntegrity.h"

namespace mc {
namespace {

struct NiftiImageFree {
  void operator()(nifti_image* nim) const { nifti_image_free(nim); }
};
using NiftiImage = std::unique_ptr<nifti_image, NiftiImageFree>;

bool endsWith(const std::string& s, const char* e) {
  const std::string x(e);
  return s.size() > x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// The header (and extensions) only; nullptr when the file is missing or is not NIfTI-1/2.
NiftiImage readHeader(const std::string& path) {
  // The library prints its complaints to stderr; ours are one line in the exception instead.
  static const bool quiet = (nifti_set_debug_level(0), true);
  (void)quiet;
  std::error_code ec;
  // nifti_image_read tries other names (x.nii.gz for a missing x.nii): only the file asked for counts.
  if (!std::filesystem::is_regular_file(path, ec)) return nullptr;
  NiftiImage nim(nifti_image_read(path.c_str(), 0));
  // A 348-byte header without the "n+1" magic is ANALYZE 7.5, whose orientation rules differ.
  if (nim && nim->nifti_type == NIFTI_FTYPE_ANALYZE) nim.reset();
  return nim;
}

NiftiImage openRun(const std::string& path) {
  NiftiImage nim = readHeader(path);
  if (!nim) throw std::runtime_error(path + ": not a readable NIfTI image (bad or truncated header)");
  for (int i = 5; i <= nim->ndim; ++i)
    if (nim->dim[i] > 1)
      throw std::runtime_error(path + ": has " + std::to_string(nim->ndim) +
                               " dimensions; expected scalar voxels over x, y, z and time");
  return nim;
}

// pixdim[4] as stored: nifti_clib replaces a zero pixdim by 1, but 0 means "the file does not say".
double storedFrameSpacing(const std::string& path, const nifti_image& nim) {
  if (nim.dt != 1.0) return nim.dt;  // the library changes only zeros (and non-finite values) to 1
  int version = 0;
  std::unique_ptr<void, decltype(&std::free)> raw(nifti_read_header(path.c_str(), &version, 0), &std::free);
  if (!raw) return nim.dt;
  const bool swapped = nim.byteorder != nifti_short_order();
  if (version == 2) {
    double v = static_cast<const nifti_2_header*>(raw.get())->pixdim[4];
    if (swapped) nifti_swap_8bytes(1, &v);
    return v == 0 ? 0.0 : nim.dt;
  }
  float v = static_cast<const nifti_1_header*>(raw.get())->pixdim[4];
  if (swapped) nifti_swap_4bytes(1, &v);
  return v == 0 ? 0.0 : nim.dt;
}

ImageGeometry geometryOf(const nifti_image& nim) {
  ImageGeometry g;
  for (int a = 0; a < 3; ++a) g.size[a] = int(nim.dim[a + 1]);
  Matrix4 m;
  if (nim.sform_code > 0 || nim.qform_code > 0) {
    // nifti_clib builds qto_xyz from the quaternion, qfac and pixdim as the standard says.
    const nifti_dmat44& x = nim.sform_code > 0 ? nim.sto_xyz : nim.qto_xyz;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) m(r, c) = x.m[r][c];
  } else {
    const double d[3] = {nim.dx, nim.dy, nim.dz};
    for (int a = 0; a < 3; ++a) m(a, a) = d[a] > 0 ? d[a] : 1.0;
  }
  g.voxelToWorld = m;
  return g;
}

StoredType storedTypeOf(const nifti_image& nim, const std::string& path) {
  switch (nim.datatype) {
    case DT_UINT8: return StoredType::UInt8;
    case DT_INT8: return StoredType::Int8;
    case DT_INT16: return StoredType::Int16;
    case DT_UINT16: return StoredType::UInt16;
    case DT_INT32: return StoredType::Int32;
    case DT_UINT32: return StoredType::UInt32;
    case DT_FLOAT32: return StoredType::Float32;
    case DT_FLOAT64: return StoredType::Float64;
    case DT_INT64:
    case DT_UINT64: return StoredType::Other;
    default:
      throw std::runtime_error(path + ": unsupported NIfTI datatype " + std::to_string(nim.datatype) + " (" +
                               nifti_datatype_to_string(nim.datatype) + ")");
  }
}

template <class T>
void convert(const void* src, std::size_t n, float* dst, double slope, double inter) {
  const T* s = static_cast<const T*>(src);
  for (std::size_t i = 0; i < n; ++i) dst[i] = float(double(s[i]) * slope + inter);
}

// Loads the voxels (native byte order: the library swaps) and converts the first `n` to float.
void loadVoxels(const std::string& path, nifti_image& nim, std::size_t n, float* dst) {
  // A cut .nii.gz may decompress "successfully" up to where it stops; check the size the header
  // promises first, which gives the reason in words.
  requireFileBytes(path, std::uint64_t(nim.iname_offset) + std::uint64_t(nim.nvox) * std::uint64_t(nim.nbyper));
  if (nifti_image_load(&nim) < 0 || !nim.data)
    throw std::runtime_error(path + ": cannot read the voxel data (truncated or corrupt file?)");
  double slope = nim.scl_slope, inter = nim.scl_inter;
  if (slope == 0 || !std::isfinite(slope)) {
    slope = 1;
    inter = 0;
  }
  switch (nim.datatype) {
    case DT_UINT8: convert<std::uint8_t>(nim.data, n, dst, slope, inter); break;
    case DT_INT8: convert<std::int8_t>(nim.data, n, dst, slope, inter); break;
    case DT_INT16: convert<std::int16_t>(nim.data, n, dst, slope, inter); break;
    case DT_UINT16: convert<std::uint16_t>(nim.data, n, dst, slope, inter); break;
    case DT_INT32: convert<std::int32_t>(nim.data, n, dst, slope, inter); break;
    case DT_UINT32: convert<std::uint32_t>(nim.data, n, dst, slope, inter); break;
    case DT_FLOAT32: convert<float>(nim.data, n, dst, slope, inter); break;
    case DT_FLOAT64: convert<double>(nim.data, n, dst, slope, inter); break;
    case DT_INT64: convert<std::int64_t>(nim.data, n, dst, slope, inter); break;
    default: convert<std::uint64_t>(nim.data, n, dst, slope, inter); break;
  }
}

bool scaled(const nifti_image& nim) {
  return nim.scl_slope != 0 && std::isfinite(nim.scl_slope) && (nim.scl_slope != 1 || nim.scl_inter != 0);
}

}  // namespace

bool isNiftiPath(const std::string& path) { return endsWith(path, ".nii") || endsWith(path, ".nii.gz"); }

int niftiFrameCount(const std::string& path) {
  const NiftiImage nim = readHeader(path);  // nifti_clib reads plain and gzipped files, both byte orders
  if (!nim) return -1;
  for (int i = 5; i <= nim->ndim; ++i)
    if (nim->dim[i] > 1) return -1;  // vectors, tensors: not a time series of scalars
  if (nim->ndim < 4) return 1;
  return nim->dim[4] > 0x7fffffff ? -1 : int(nim->dim[4]);
}

VolumeSeries readNiftiRun(const std::string& path) {
  NiftiImage nim = openRun(path);
  if (nim->ndim < 4) throw std::runtime_error(path + ": is a single 3D volume, expected a 4D run (x, y, z, time)");
  VolumeSeries run;
  run.storedType = storedTypeOf(*nim, path);
  if (scaled(*nim)) run.storedType = StoredType::Float32;  // scaled integers: written back as float
  run.allocate(geometryOf(*nim), int(nim->dim[4]));
  if (run.geometry.voxelCount() == 0) throw std::runtime_error(path + ": the image is empty");
  const int units = nim->time_units;
  run.repetitionTime =
      storedFrameSpacing(path, *nim) * (units == NIFTI_UNITS_MSEC ? 1e-3 : units == NIFTI_UNITS_USEC ? 1e-6 : 1.0);
  loadVoxels(path, *nim, run.voxels.size(), run.voxels.data());
  return run;
}

Volume readNiftiVolume(const std::string& path, bool allowFirstFrame) {
  NiftiImage nim = openRun(path);
  if (nim->ndim >= 4 && nim->dim[4] > 1 && !allowFirstFrame)
    throw std::runtime_error(path + ": is 4D, expected a single 3D volume");
  storedTypeOf(*nim, path);  // rejects the datatypes this cannot convert
  Volume v;
  v.geometry = geometryOf(*nim);
  v.voxels.assign(v.geometry.voxelCount(), 0.0f);
  loadVoxels(path, *nim, v.voxels.size(), v.voxels.data());  // frame 0 comes first in the file
  return v;
}

}  // namespace mc
