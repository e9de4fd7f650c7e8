#include "JobSpec.h"

#include <filesystem>
#include <stdexcept>

#include <unistd.h>

#include "AtomicOutput.h"
#include "ImageIO.h"

namespace mc {
namespace {

// What would make an output fail only at the end, after the work (and after other outputs were
// renamed into place): checked for every output before any work starts.
void checkWritable(const std::string& output) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(output, ec))
    throw std::invalid_argument(output + ": is a folder; an output must be a file path");
  const fs::path dir = fs::absolute(fs::path(output)).parent_path();
  if (fs::is_directory(dir, ec) && ::access(dir.c_str(), W_OK | X_OK) != 0)
    throw std::invalid_argument(output + ": folder " + dir.string() + " is not writable");
}

}  // namespace

void JobSpec::validate() const {
  estimation.validate();
  reslice.validate();
  if (threads < 0) throw std::invalid_argument("threads must be >= 0, got " + std::to_string(threads));
  if (estimateOnly && (!realignedOutput.empty() || !meanOutput.empty()))
    throw std::invalid_argument("estimate-only writes no images: drop --output/--mean or --estimate-only");
  for (const std::string* p : {&realignedOutput, &meanOutput})
    if (!p->empty() && !isSupportedImagePath(*p))
      throw std::invalid_argument(*p + ": unsupported output type (use .nii, .nii.gz, .nrrd or .nhdr)");
  checkOutputPaths(input, outputPaths());
  if (!weightImage.empty()) checkOutputPaths(weightImage, outputPaths());
  for (const std::string& o : outputPaths())
    if (!o.empty()) checkWritable(o);
}

}  // namespace mc
