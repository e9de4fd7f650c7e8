// The only translation unit that includes ITK (its headers are heavy and it bundles an Eigen that
// clashes with the system one), so it sees none of the Eigen-using code.
#include "ImageIO.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOFactory.h>
#include <itkImportImageFilter.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>
#include <itkVectorImage.h>

#include "AtomicOutput.h"
#include "RigidTransform.h"

namespace mc {
namespace {

void registerFactories() {
  static const bool once = [] {
    itk::NiftiImageIOFactory::RegisterOneFactory();
    itk::NrrdImageIOFactory::RegisterOneFactory();
    return true;
  }();
  (void)once;
}

std::string oneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string itkReason(const itk::ExceptionObject& e) { return oneLine(e.GetDescription()); }

StoredType storedTypeOf(itk::IOComponentEnum t) {
  using C = itk::IOComponentEnum;
  switch (t) {
    case C::UCHAR: return StoredType::UInt8;
    case C::CHAR: return StoredType::Int8;
    case C::USHORT: return StoredType::UInt16;
    case C::SHORT: return StoredType::Int16;
    case C::UINT: return StoredType::UInt32;
    case C::INT: return StoredType::Int32;
    case C::FLOAT: return StoredType::Float32;
    case C::DOUBLE: return StoredType::Float64;
    default: return StoredType::Other;
  }
}

// ITK direction/spacing/origin (LPS) of the first three axes -> RAS voxel-to-world.
template <class ImageType>
ImageGeometry geometryOf(const ImageType* image) {
  ImageGeometry g;
  const auto size = image->GetLargestPossibleRegion().GetSize();
  const auto& dir = image->GetDirection();
  const auto& sp = image->GetSpacing();
  const auto& org = image->GetOrigin();
  Matrix4 lps;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) lps(r, c) = dir(r, c) * sp[c];
    lps(r, 3) = org[r];
  }
  for (int a = 0; a < 3; ++a) g.size[a] = int(size[a]);
  g.voxelToWorld = rasFromLps(lps);
  return g;
}

itk::ImageIOBase::Pointer openHeader(const std::string& path) {
  namespace fs = std::filesystem;
  registerFactories();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ImageIOError(path + ": no such file");
  if (fs::is_directory(path, ec)) throw ImageIOError(path + ": is a folder, not an image file");
  if (!isSupportedImagePath(path))
    throw ImageIOError(path + ": unsupported file type (expected .nii, .nii.gz, .nrrd or .nhdr)");
  auto io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::CommonEnums::IOFileMode::ReadMode);
  if (!io) throw ImageIOError(path + ": not a readable NIfTI or NRRD image (bad or truncated header)");
  io->SetFileName(path);
  try {
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    throw ImageIOError(path + ": cannot read the header: " + itkReason(e));
  }
  return io;
}

}  // namespace

bool isSupportedImagePath(const std::string& path) {
  auto ends = [&](const char* e) {
    const std::string s(e);
    return path.size() > s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".nii") || ends(".nii.gz") || ends(".nrrd") || ends(".nhdr");
}

VolumeSeries readVolumeSeries(const std::string& path) {
  auto io = openHeader(path);
  const unsigned dims = io->GetNumberOfDimensions();
  const unsigned comps = io->GetNumberOfComponents();
  VolumeSeries run;
  run.storedType = storedTypeOf(io->GetComponentType());
  try {
    if (comps > 1 && dims == 3) {
      // A NRRD with a list axis (Slicer's sequence files): one component per frame.
      using VImage = itk::VectorImage<float, 3>;
      auto reader = itk::ImageFileReader<VImage>::New();
      reader->SetImageIO(io);
      reader->SetFileName(path);
      reader->Update();
      const VImage* img = reader->GetOutput();
      run.allocate(geometryOf(img), int(comps));
      const float* src = img->GetBufferPointer();
      const std::size_t n = run.frameSize();
      for (std::size_t i = 0; i < n; ++i)
        for (unsigned t = 0; t < comps; ++t) run.frame(int(t))[i] = src[i * comps + t];
    } else if (comps == 1 && dims == 4) {
      using Image4 = itk::Image<float, 4>;
      auto reader = itk::ImageFileReader<Image4>::New();
      reader->SetImageIO(io);
      reader->SetFileName(path);
      reader->Update();
      const Image4* img = reader->GetOutput();
      const auto size = img->GetLargestPossibleRegion().GetSize();
      run.allocate(geometryOf(img), int(size[3]));
      run.repetitionTime = img->GetSpacing()[3];
      std::copy(img->GetBufferPointer(), img->GetBufferPointer() + run.voxels.size(), run.voxels.begin());
    } else if (comps == 1 && dims <= 3) {
      throw ImageIOError(path + ": is a single 3D volume, expected a 4D run (x, y, z, time)");
    } else {
      throw ImageIOError(path + ": has " + std::to_string(dims) + " dimensions and " + std::to_string(comps) +
                         " components per voxel; expected a 4D run of scalars");
    }
  } catch (const itk::ExceptionObject& e) {
    throw ImageIOError(path + ": cannot read the voxel data (truncated or corrupt file?): " + itkReason(e));
  }
  if (run.geometry.voxelCount() == 0) throw ImageIOError(path + ": the image is empty");
  return run;
}

Volume readVolume(const std::string& path, bool allowFirstFrame) {
  auto io = openHeader(path);
  const unsigned dims = io->GetNumberOfDimensions();
  if (io->GetNumberOfComponents() != 1) throw ImageIOError(path + ": expected a scalar image");
  if (dims == 4 && io->GetDimensions(3) > 1 && !allowFirstFrame)
    throw ImageIOError(path + ": is 4D, expected a single 3D volume");
  try {
    using Image4 = itk::Image<float, 4>;
    auto reader = itk::ImageFileReader<Image4>::New();
    reader->SetImageIO(io);
    reader->SetFileName(path);
    reader->Update();
    const Image4* img = reader->GetOutput();
    Volume v;
    v.geometry = geometryOf(img);
    v.voxels.assign(img->GetBufferPointer(), img->GetBufferPointer() + v.geometry.voxelCount());
    return v;
  } catch (const itk::ExceptionObject& e) {
    throw ImageIOError(path + ": cannot read the voxel data (truncated or corrupt file?): " + itkReason(e));
  }
}

namespace {

template <class T>
T roundAndClamp(float v) {
  if constexpr (std::is_floating_point_v<T>) {
    return T(v);
  } else {
    const double r = std::nearbyint(double(v));
    return T(std::clamp(r, double(std::numeric_limits<T>::lowest()), double(std::numeric_limits<T>::max())));
  }
}

template <class T, unsigned Dim>
void writeTyped(const std::string& tmpPath, const std::string& target, const ImageGeometry& g, int frames,
                double tr, const float* voxels) {
  using Image4 = itk::Image<T, Dim>;
  auto image = Image4::New();
  typename Image4::SizeType size;
  for (int a = 0; a < 3; ++a) size[a] = itk::SizeValueType(g.size[a]);
  if constexpr (Dim == 4) size[3] = itk::SizeValueType(frames);
  image->SetRegions(typename Image4::RegionType(size));
  const Matrix4 lps = rasFromLps(g.voxelToWorld);
  const auto sp = g.spacing();
  typename Image4::SpacingType spacing;
  typename Image4::PointType origin;
  typename Image4::DirectionType dir;
  dir.SetIdentity();
  for (int r = 0; r < 3; ++r) {
    for (unsigned c = 0; c < 3; ++c) dir(r, c) = lps(r, c) / sp[c];
    origin[r] = lps(r, 3);
    spacing[r] = sp[r];
  }
  if constexpr (Dim == 4) {
    origin[3] = 0;
    spacing[3] = tr > 0 ? tr : 1.0;
  }
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(dir);
  image->Allocate();
  const std::size_t n = g.voxelCount() * std::size_t(frames);
  T* dst = image->GetBufferPointer();
  for (std::size_t i = 0; i < n; ++i) dst[i] = roundAndClamp<T>(voxels[i]);
  auto writer = itk::ImageFileWriter<Image4>::New();
  writer->SetFileName(tmpPath);
  writer->SetInput(image);
  writer->SetUseCompression(true);
  try {
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    throw ImageIOError(target + ": cannot write: " + itkReason(e));
  }
}

template <unsigned Dim>
void writeAs(const std::string& tmp, const std::string& path, const ImageGeometry& g, int frames, double tr,
             const float* voxels, StoredType type) {
  switch (type) {
    case StoredType::UInt8: writeTyped<std::uint8_t, Dim>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::Int8: writeTyped<std::int8_t, Dim>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::UInt16: writeTyped<std::uint16_t, Dim>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::Int16: writeTyped<std::int16_t, Dim>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::UInt32: writeTyped<std::uint32_t, Dim>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::Int32: writeTyped<std::int32_t, Dim>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::Float64: writeTyped<double, Dim>(tmp, path, g, frames, tr, voxels); break;
    default: writeTyped<float, Dim>(tmp, path, g, frames, tr, voxels); break;
  }
}

void writeAny(const std::string& path, const ImageGeometry& g, int frames, double tr, const float* voxels,
              StoredType type) {
  registerFactories();
  if (!isSupportedImagePath(path))
    throw ImageIOError(path + ": unsupported output type (use .nii, .nii.gz, .nrrd or .nhdr)");
  writeAtomically(path, [&](const std::string& tmp) {
    if (frames == 1) {
      writeAs<3>(tmp, path, g, frames, tr, voxels, type);
    } else {
      writeAs<4>(tmp, path, g, frames, tr, voxels, type);
    }
  });
}

}  // namespace

void writeVolumeSeries(const std::string& path, const VolumeSeries& run, StoredType type) {
  writeAny(path, run.geometry, run.frameCount, run.repetitionTime, run.voxels.data(), type);
}

void writeVolume(const std::string& path, const Volume& v, double tr, StoredType type) {
  writeAny(path, v.geometry, 1, tr, v.voxels.data(), type);
}

}  // namespace mc
