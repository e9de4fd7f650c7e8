// The only translation unit that includes ITK (its headers are heavy and it bundles an Eigen that
// clashes with the system one), so it sees none of the Eigen-using code.
#include "ImageIO.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <limits>

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOFactory.h>
#include <itkImportImageFilter.h>
#include <itkGDCMImageIO.h>
#include <itkGDCMImageIOFactory.h>
#include <itkMetaDataObject.h>
#include <gdcmTrace.h>
#include <itkNrrdImageIOFactory.h>
#include <itkVectorImage.h>
#include <NrrdIO.h>  // ITK's bundled teem NrrdIO: writes the list-axis header ITK's NRRD writer cannot

#include "AtomicOutput.h"
#include "NiftiFormat.h"
#include "RigidTransform.h"

namespace mc {
namespace {

void registerFactories() {
  static const bool once = [] {
    itk::NrrdImageIOFactory::RegisterOneFactory();
    itk::GDCMImageIOFactory::RegisterOneFactory();
    // GDCM prints its warnings (a missing photometric interpretation, say) on stderr, which Slicer
    // reads as a CLI's errors; failures still arrive as ITK exceptions.
    gdcm::Trace::WarningOff();
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

bool endsWith(const std::string& s, const char* e) {
  const std::string x(e);
  return s.size() > x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

bool isNiftiPath(const std::string& path) { return endsWith(path, ".nii") || endsWith(path, ".nii.gz"); }

// The checks every reader starts with, before it opens the file.
void requireReadableFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ImageIOError(path + ": no such file");
  if (fs::is_directory(path, ec)) throw ImageIOError(path + ": is a folder, not an image file");
  if (!isSupportedImagePath(path) && !isDicomPath(path))
    throw ImageIOError(path + ": unsupported file type (expected .nii, .nii.gz, .nrrd, .nhdr or .dcm)");
}

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

// The voxels of `path` as an ITK image of type Image, through the ImageIO openHeader chose. The
// reader's output stays alive with the returned pointer.
template <class Image>
typename Image::Pointer readImage(itk::ImageIOBase* io, const std::string& path) {
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetImageIO(io);
  reader->SetFileName(path);
  reader->Update();
  return reader->GetOutput();
}

itk::ImageIOBase::Pointer openHeader(const std::string& path) {
  registerFactories();
  requireReadableFile(path);
  auto io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::CommonEnums::IOFileMode::ReadMode);
  if (!io) throw ImageIOError(path + (isDicomPath(path) ? ": not a readable DICOM image (bad or truncated file)" : ": not a readable NRRD image (bad or truncated header)"));
  io->SetFileName(path);
  try {
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    throw ImageIOError(path + ": cannot read the header: " + itkReason(e));
  }
  return io;
}

// The frame interval in seconds of a NRRD sequence, from its plain-text header: Slicer's
// "axis A index values" on a list axis whose unit is s or ms, or a MultiVolume's frame labels with
// their unit. 0 when the header does not say (frame numbers, no unit, uneven spacing).
double nrrdFrameSeconds(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::map<std::string, std::string> fields;
  std::string line;
  for (int n = 0; n < 4096 && std::getline(in, line) && !line.empty() && line != "\r"; ++n) {
    if (line[0] == '#') continue;
    auto sep = line.find(":=");
    std::size_t skip = 2;
    if (sep == std::string::npos) {
      sep = line.find(": ");
      if (sep == std::string::npos) continue;
    }
    fields[line.substr(0, sep)] = line.substr(sep + skip);
  }
  const auto words = [](const std::string& text, char split) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string w;
    while (std::getline(ss, w, split))
      if (!w.empty()) out.push_back(w);
    return out;
  };
  const auto interval = [](const std::vector<std::string>& values, double scale) {
    std::vector<double> v;
    for (const auto& s : values) {
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      if (end == s.c_str() || *end != 0) return 0.0;
      v.push_back(d);
    }
    if (v.size() < 2) return 0.0;
    const double step = (v.back() - v.front()) / double(v.size() - 1);
    if (!(step > 0)) return 0.0;
    for (std::size_t i = 1; i < v.size(); ++i)
      if (std::fabs(v[i] - v[i - 1] - step) > 1e-3 * step) return 0.0;
    return step * scale;
  };
  const auto scaleOf = [](std::string unit) {
    unit.erase(std::remove(unit.begin(), unit.end(), '"'), unit.end());
    if (unit == "s" || unit == "sec" || unit == "seconds") return 1.0;
    if (unit == "ms" || unit == "msec") return 1e-3;
    return 0.0;
  };
  // Slicer sequence: the list axis's unit (units: "s" "" "" "") and its index values.
  const auto kinds = words(fields["kinds"], ' ');
  for (std::size_t a = 0; a < kinds.size(); ++a) {
    if (kinds[a] != "list") continue;
    const auto values = fields.find("axis " + std::to_string(a) + " index values");
    if (values == fields.end()) break;
    std::vector<std::string> units;
    const std::string& u = fields["units"];
    for (std::size_t q = u.find('"'); q != std::string::npos; q = u.find('"', q + 1)) {
      const auto e = u.find('"', q + 1);
      if (e == std::string::npos) break;
      units.push_back(u.substr(q + 1, e - q - 1));
      q = e;
    }
    if (a < units.size() && scaleOf(units[a]) > 0) return interval(words(values->second, ' '), scaleOf(units[a]));
  }
  // Slicer MultiVolume: MultiVolume.FrameLabels:=0,2000,... with MultiVolume.FrameIdentifyingDICOMTagUnits:=ms.
  const auto labels = fields.find("MultiVolume.FrameLabels");
  const auto units = fields.find("MultiVolume.FrameIdentifyingDICOMTagUnits");
  if (labels != fields.end() && units != fields.end() && scaleOf(units->second) > 0)
    return interval(words(labels->second, ','), scaleOf(units->second));
  return 0;
}

}  // namespace

bool isSupportedImagePath(const std::string& path) {
  auto ends = [&](const char* e) {
    const std::string s(e);
    return path.size() > s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".nii") || ends(".nii.gz") || ends(".nrrd") || ends(".nhdr");
}

namespace {

// The NIfTI header of a file that must be a run (x, y, z, time) or, with allowFirstFrame, any
// 3D or 4D image of scalars.
nifti::Header niftiHeaderFor(const std::string& path, bool wantRun, bool allowFirstFrame) {
  requireReadableFile(path);
  const nifti::Header h = nifti::readHeader(path);
  for (int i = 5; i <= h.dim[0]; ++i)
    if (h.dim[i] > 1)
      throw ImageIOError(path + ": has " + std::to_string(h.dim[0]) + " dimensions (dim[" + std::to_string(i) +
                         "] is " + std::to_string(h.dim[i]) + "); expected " + (wantRun ? "a 4D run (x, y, z, time)" : "a 3D volume"));
  const int frames = h.frames();
  if (wantRun && frames <= 1) throw ImageIOError(path + ": is a single 3D volume, expected a 4D run (x, y, z, time)");
  if (!wantRun && frames > 1 && !allowFirstFrame) throw ImageIOError(path + ": is 4D, expected a single 3D volume");
  return h;
}

}  // namespace

VolumeSeries readVolumeSeries(const std::string& path, int threads) {
  if (isNiftiPath(path)) {
    niftiHeaderFor(path, true, false);
    return nifti::readSeries(path, threads);
  }
  auto io = openHeader(path);
  const unsigned dims = io->GetNumberOfDimensions();
  const unsigned comps = io->GetNumberOfComponents();
  VolumeSeries run;
  run.storedType = storedTypeOf(io->GetComponentType());
  try {
    if (comps > 1 && dims == 3) {
      // A NRRD with a list axis (Slicer's sequence files): one component per frame.
      using VImage = itk::VectorImage<float, 3>;
      const VImage::Pointer img = readImage<VImage>(io, path);
      run.allocate(geometryOf(img.GetPointer()), int(comps));
      run.repetitionTime = nrrdFrameSeconds(path);
      const float* src = img->GetBufferPointer();
      const std::size_t n = run.frameSize();
      for (std::size_t i = 0; i < n; ++i)
        for (unsigned t = 0; t < comps; ++t) run.frame(int(t))[i] = src[i * comps + t];
    } else if (comps == 1 && dims == 4) {
      using Image4 = itk::Image<float, 4>;
      const Image4::Pointer img = readImage<Image4>(io, path);
      const auto size = img->GetLargestPossibleRegion().GetSize();
      run.allocate(geometryOf(img.GetPointer()), int(size[3]));
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

Volume readVolume(const std::string& path, bool allowFirstFrame, double* repetitionTime) {
  if (repetitionTime) *repetitionTime = 0;
  if (isNiftiPath(path)) {
    niftiHeaderFor(path, false, allowFirstFrame);
    VolumeSeries run = nifti::readSeries(path, 0);
    if (repetitionTime) *repetitionTime = run.repetitionTime;
    Volume v;
    v.geometry = run.geometry;
    run.voxels.resize(run.frameSize());
    run.voxels.shrink_to_fit();
    v.voxels = std::move(run.voxels);
    return v;
  }
  auto io = openHeader(path);
  const unsigned dims = io->GetNumberOfDimensions();
  if (io->GetNumberOfComponents() != 1) throw ImageIOError(path + ": expected a scalar image");
  if (dims == 4 && io->GetDimensions(3) > 1 && !allowFirstFrame)
    throw ImageIOError(path + ": is 4D, expected a single 3D volume");
  try {
    using Image4 = itk::Image<float, 4>;
    const Image4::Pointer img = readImage<Image4>(io, path);
    Volume v;
    v.geometry = geometryOf(img.GetPointer());
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
                double tr, const float* voxels, itk::ImageIOBase* io = nullptr,
                const std::map<std::string, std::string>& tags = {}) {
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
  for (const auto& [tag, value] : tags) itk::EncapsulateMetaData<std::string>(image->GetMetaDataDictionary(), tag, value);
  const std::size_t n = g.voxelCount() * std::size_t(frames);
  T* dst = image->GetBufferPointer();
  for (std::size_t i = 0; i < n; ++i) dst[i] = roundAndClamp<T>(voxels[i]);
  auto writer = itk::ImageFileWriter<Image4>::New();
  writer->SetFileName(tmpPath);
  writer->SetInput(image);
  if (io) writer->SetImageIO(io);  // the temporary name's extension says nothing
  writer->SetUseCompression(!io);
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

template <class T>
int nrrdTypeOf() {
  if constexpr (std::is_same_v<T, std::uint8_t>) return nrrdTypeUChar;
  else if constexpr (std::is_same_v<T, std::int8_t>) return nrrdTypeChar;
  else if constexpr (std::is_same_v<T, std::uint16_t>) return nrrdTypeUShort;
  else if constexpr (std::is_same_v<T, std::int16_t>) return nrrdTypeShort;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return nrrdTypeUInt;
  else if constexpr (std::is_same_v<T, std::int32_t>) return nrrdTypeInt;
  else if constexpr (std::is_same_v<T, double>) return nrrdTypeDouble;
  else return nrrdTypeFloat;
}

// A 4D run as Slicer's volume sequence file (.seq.nrrd): the list axis first ("kinds: list domain
// domain domain", space directions "none" then the three voxel axes in RAS), the index values in
// "axis 0 index values" (seconds when the TR is known, else frame numbers) and the proxy node class.
// Slicer's sequence reader and ITK's NRRD reader (as a VectorImage, see readVolumeSeries) both read it.
template <class T>
void writeNrrdSequence(const std::string& tmpPath, const std::string& target, const ImageGeometry& g, int frames,
                       double tr, const float* voxels) {
  const std::size_t n = g.voxelCount();
  std::vector<T> interleaved(n * std::size_t(frames));
  for (int t = 0; t < frames; ++t)
    for (std::size_t i = 0; i < n; ++i) interleaved[i * frames + t] = roundAndClamp<T>(voxels[std::size_t(t) * n + i]);
  Nrrd* nrrd = nrrdNew();
  NrrdIoState* nio = nrrdIoStateNew();
  const auto cleanup = [&] {
    nrrdNix(nrrd);  // the data belongs to `interleaved`
    nrrdIoStateNix(nio);
  };
  std::size_t size[4] = {std::size_t(frames), std::size_t(g.size[0]), std::size_t(g.size[1]), std::size_t(g.size[2])};
  double origin[3];
  double directions[4][NRRD_SPACE_DIM_MAX];
  for (int r = 0; r < 3; ++r) {
    origin[r] = g.voxelToWorld(r, 3) + 0.0;
    directions[0][r] = AIR_NAN;
    for (int a = 0; a < 3; ++a) directions[a + 1][r] = g.voxelToWorld(r, a) + 0.0;  // no "-0" in the header
  }
  if (nrrdWrap_nva(nrrd, interleaved.data(), nrrdTypeOf<T>(), 4, size) ||
      nrrdSpaceSet(nrrd, nrrdSpaceRightAnteriorSuperior) || nrrdSpaceOriginSet(nrrd, origin)) {
    cleanup();
    throw ImageIOError(target + ": cannot set up the NRRD header");
  }
  int kinds[4] = {nrrdKindList, nrrdKindDomain, nrrdKindDomain, nrrdKindDomain};
  nrrdAxisInfoSet_nva(nrrd, nrrdAxisInfoKind, kinds);
  nrrdAxisInfoSet_nva(nrrd, nrrdAxisInfoSpaceDirection, directions);
  const char* labels[4] = {tr > 0 ? "time" : "frame", nullptr, nullptr, nullptr};
  nrrdAxisInfoSet_nva(nrrd, nrrdAxisInfoLabel, labels);
  const char* units[4] = {tr > 0 ? "s" : nullptr, nullptr, nullptr, nullptr};
  nrrdAxisInfoSet_nva(nrrd, nrrdAxisInfoUnits, units);
  std::string values;
  for (int t = 0; t < frames; ++t) {
    char v[32];
    std::snprintf(v, sizeof v, "%.6g", tr > 0 ? t * tr : double(t));
    values += (t ? " " : "") + std::string(v);
  }
  nrrdKeyValueAdd(nrrd, "axis 0 index type", "numeric");
  nrrdKeyValueAdd(nrrd, "axis 0 index values", values.c_str());
  nrrdKeyValueAdd(nrrd, "DataNodeClassName", "vtkMRMLScalarVolumeNode");
  if (nrrdEncodingGzip->available()) {
    nio->encoding = nrrdEncodingGzip;
    nio->zlibLevel = -1;
  }
  if (nrrdSave(tmpPath.c_str(), nrrd, nio)) {
    char* err = biffGetDone(NRRD);
    const std::string why = err ? oneLine(err) : "unknown NrrdIO error";
    std::free(err);
    cleanup();
    throw ImageIOError(target + ": cannot write: " + why);
  }
  cleanup();
}

void writeNrrdSequenceAs(const std::string& tmp, const std::string& path, const ImageGeometry& g, int frames,
                         double tr, const float* voxels, StoredType type) {
  switch (type) {
    case StoredType::UInt8: writeNrrdSequence<std::uint8_t>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::Int8: writeNrrdSequence<std::int8_t>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::UInt16: writeNrrdSequence<std::uint16_t>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::Int16: writeNrrdSequence<std::int16_t>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::UInt32: writeNrrdSequence<std::uint32_t>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::Int32: writeNrrdSequence<std::int32_t>(tmp, path, g, frames, tr, voxels); break;
    case StoredType::Float64: writeNrrdSequence<double>(tmp, path, g, frames, tr, voxels); break;
    default: writeNrrdSequence<float>(tmp, path, g, frames, tr, voxels); break;
  }
}

// A collected NRRD run or volume, as the ITK/NrrdIO writers did before NIfTI got its own: a
// sequence (.nrrd with frames) through NrrdIO, anything else through ITK by extension.
void writeNrrd(const std::string& file, const std::string& target, const ImageGeometry& g, int frames, double tr,
               const float* voxels, const StoredFormat& format) {
  registerFactories();
  // NRRD has no scl_slope: scaled integers would change value, so they are written as float.
  const bool scaled = format.slope != 1 || format.intercept != 0;
  const StoredType type = scaled ? StoredType::Float32 : format.type;
  if (frames == 1)
    writeAs<3>(file, target, g, frames, tr, voxels, type);
  else if (endsWith(target, ".nrrd"))
    writeNrrdSequenceAs(file, target, g, frames, tr, voxels, type);
  else
    writeAs<4>(file, target, g, frames, tr, voxels, type);
}

void writeAny(const std::string& path, const ImageGeometry& g, int frames, double tr, const float* voxels,
              const StoredFormat& format, int threads) {
  if (!isSupportedImagePath(path))
    throw ImageIOError(path + ": unsupported output type (use .nii, .nii.gz, .nrrd or .nhdr)");
  writeAtomically(path, [&](const std::string& tmp) {
    if (!isNiftiPath(path)) return writeNrrd(tmp, path, g, frames, tr, voxels, format);  // no copy to collect
    VolumeSeriesWriter w(tmp, g, frames, tr, format, threads, path);
    for (int t = 0; t < frames; ++t) w.writeFrame(voxels + std::size_t(t) * g.voxelCount());
    w.finish();
  });
}

}  // namespace

struct VolumeSeriesWriter::Impl {
  std::unique_ptr<nifti::StreamWriter> nifti;
  // NRRD: collected, written by finish().
  std::string path, display;
  ImageGeometry geometry;
  int frames = 0, written = 0;
  double tr = 0;
  StoredFormat format;
  std::vector<float> collected;
  bool finished = false;
};

VolumeSeriesWriter::VolumeSeriesWriter(const std::string& path, const ImageGeometry& geometry, int frames,
                                       double repetitionTime, const StoredFormat& format, int threads,
                                       const std::string& displayName)
    : impl_(new Impl) {
  Impl& w = *impl_;
  w.path = path;
  w.display = displayName.empty() ? path : displayName;
  if (!isSupportedImagePath(w.display) && !isSupportedImagePath(path))
    throw ImageIOError(w.display + ": unsupported output type (use .nii, .nii.gz, .nrrd or .nhdr)");
  if (isNiftiPath(path)) {
    w.nifti = std::make_unique<nifti::StreamWriter>(path, w.display, geometry, frames, repetitionTime, format, threads);
    return;
  }
  w.geometry = geometry;
  w.frames = frames;
  w.tr = repetitionTime;
  w.format = format;
  w.collected.reserve(geometry.voxelCount() * std::size_t(std::max(frames, 0)));
}

// A NIfTI stream removes its partial file itself; a NRRD is on disk only once finish() succeeded.
VolumeSeriesWriter::~VolumeSeriesWriter() = default;

void VolumeSeriesWriter::writeFrame(const float* voxels) {
  Impl& w = *impl_;
  if (w.nifti) return w.nifti->writeFrame(voxels);
  if (w.written >= w.frames) throw ImageIOError(w.display + ": more frames written than the " + std::to_string(w.frames) + " declared");
  w.collected.insert(w.collected.end(), voxels, voxels + w.geometry.voxelCount());
  ++w.written;
}

void VolumeSeriesWriter::finish() {
  Impl& w = *impl_;
  if (w.nifti) return w.nifti->finish();
  if (w.finished) return;
  if (w.written != w.frames)
    throw ImageIOError(w.display + ": writer finished after " + std::to_string(w.written) + " of " +
                       std::to_string(w.frames) + " frames");
  try {
    writeNrrd(w.path, w.display, w.geometry, w.frames, w.tr, w.collected.data(), w.format);
  } catch (...) {
    std::remove(w.path.c_str());
    throw;
  }
  w.finished = true;
}

void writeVolumeSeries(const std::string& path, const VolumeSeries& run, StoredType type) {
  writeAny(path, run.geometry, run.frameCount, run.repetitionTime, run.voxels.data(), StoredFormat{type, 1, 0}, 0);
}

void writeVolumeSeries(const std::string& path, const VolumeSeries& run, const StoredFormat& format, int threads) {
  writeAny(path, run.geometry, run.frameCount, run.repetitionTime, run.voxels.data(), format, threads);
}

void writeVolume(const std::string& path, const Volume& v, double tr, StoredType type) {
  writeAny(path, v.geometry, 1, tr, v.voxels.data(), StoredFormat{type, 1, 0}, 0);
}

bool isDicomPath(const std::string& path) { return endsWith(path, ".dcm") || endsWith(path, ".DCM"); }

void writeDicomVolume(const std::string& path, const Volume& v) {
  writeAtomically(path, [&](const std::string& tmp) {
    registerFactories();  // GDCM's warnings off
    auto io = itk::GDCMImageIO::New();
    // Enhanced MR Image Storage: one multi-frame file holds the whole volume, as scanners' real-time
    // exports write it (the plain MR Image Storage class is one slice per file, which GDCM refuses
    // for a 3D image).
    // DICOM's slice axis is the normal of its rows and columns: a left-handed grid (NIfTI's
    // usual radiological one) is stored with its slices in reverse order, the same voxels at the
    // same world positions.
    const Matrix4& m = v.geometry.voxelToWorld;
    const double det = m(0, 0) * (m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1)) -
                       m(0, 1) * (m(1, 0) * m(2, 2) - m(1, 2) * m(2, 0)) +
                       m(0, 2) * (m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0));
    ImageGeometry g = v.geometry;
    std::vector<float> flipped;
    const float* voxels = v.voxels.data();
    if (det < 0) {
      const int nz = g.size[2];
      for (int r = 0; r < 3; ++r) {
        g.voxelToWorld(r, 3) += (nz - 1) * m(r, 2);
        g.voxelToWorld(r, 2) = -m(r, 2);
      }
      const std::size_t slice = std::size_t(g.size[0]) * g.size[1];
      flipped.resize(v.voxels.size());
      for (int k = 0; k < nz; ++k)
        std::copy_n(v.voxels.data() + slice * (nz - 1 - k), slice, flipped.data() + slice * k);
      voxels = flipped.data();
    }
    writeTyped<std::int16_t, 3>(tmp, path, g, 1, 0, voxels, io,
                                {{"0008|0016", "1.2.840.10008.5.1.4.1.1.4.1"}, {"0008|0060", "MR"}});
  });
}

int niftiFrameCount(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return -1;
  try {
    const nifti::Header h = nifti::readHeader(path);
    for (int i = 5; i <= h.dim[0]; ++i)
      if (h.dim[i] > 1) return -1;  // vectors, tensors: not a time series of scalars
    return h.dim[4] > 0x7fffffff ? -1 : h.frames();
  } catch (const std::exception&) {
    return -1;
  }
}

double niftiRepetitionTime(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return 0;
  try {
    return nifti::repetitionTimeOf(nifti::readHeader(path));
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace mc
