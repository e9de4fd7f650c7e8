// Which reader reads a file: NIfTI-1/2 through nifti_clib (NiftiReader), NRRD through ITK.
#include <filesystem>
#include <stdexcept>

#include "ImageIO.h"
#include "ItkImageReader.h"
#include "NiftiReader.h"

namespace mc {
namespace {

void requireImageFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ImageIOError(path + ": no such file");
  if (fs::is_directory(path, ec)) throw ImageIOError(path + ": is a folder, not an image file");
  if (!isSupportedImagePath(path))
    throw ImageIOError(path + ": unsupported file type (expected .nii, .nii.gz, .nrrd or .nhdr)");
}

// NiftiReader reports std::runtime_error; every IO failure leaves this layer as ImageIOError.
template <class Read>
auto asImageIOError(Read read) {
  try {
    return read();
  } catch (const ImageIOError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw ImageIOError(e.what());
  }
}

}  // namespace

VolumeSeries readVolumeSeries(const std::string& path) {
  requireImageFile(path);
  if (isNiftiPath(path)) return asImageIOError([&] { return readNiftiRun(path); });
  return readRunThroughItk(path);
}

Volume readVolume(const std::string& path, bool allowFirstFrame) {
  requireImageFile(path);
  if (isNiftiPath(path)) return asImageIOError([&] { return readNiftiVolume(path, allowFirstFrame); });
  return readVolumeThroughItk(path, allowFirstFrame);
}

}  // namespace mc
