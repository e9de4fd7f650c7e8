#pragma once
// Reading through ITK (defined in ImageIO.cxx, the one translation unit that includes ITK): NRRD
// runs and volumes, including Slicer's sequence files (a list axis of frames). NIfTI goes through
// NiftiReader (see the measurement there); ITK can still read NIfTI-1 here, for that comparison.
#include <string>

#include "VolumeSeries.h"

namespace mc {

// Throw ImageIOError with a one-line message naming the file.
VolumeSeries readRunThroughItk(const std::string& path);
Volume readVolumeThroughItk(const std::string& path, bool allowFirstFrame);

}  // namespace mc
