#include "JobSpec.h"

#include <stdexcept>

#include "AtomicOutput.h"
#include "ImageIO.h"

namespace mc {

void JobSpec::validate() const {
  estimation.validate();
  reslice.validate();
  if (threads < 0) throw std::invalid_argument("threads must be >= 0, got " + std::to_string(threads));
  if (estimateOnly && (!realignedOutput.empty() || !meanOutput.empty()))
    throw std::invalid_argument("estimate-only writes no images: drop --output/--mean or --estimate-only");
  for (const std::string* p : {&realignedOutput, &meanOutput})
    if (!p->empty() && !isSupportedImagePath(*p))
      throw std::invalid_argument(*p + ": unsupported output type (use .nii, .nii.gz, .nrrd or .nhdr)");
  checkOutputPaths({input, weightImage}, outputPaths());
}

}  // namespace mc
