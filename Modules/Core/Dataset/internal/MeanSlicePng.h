#pragma once
// The before/after image of a run in the report: the middle axial slice of a mean volume, as a
// grayscale PNG data: URI. A blurred "before" beside a sharp "after" is what realignment did.
#include <string>

#include "VolumeSeries.h"

namespace mc::report {

// The voxel mean over the run's frames.
Volume meanOverFrames(const VolumeSeries& run);

// Slice z = size[2] / 2, x to the right and y up (rows flipped, so that a RAS grid shows anterior
// at the top), windowed from 0 to the slice's 99th percentile so one bright voxel does not darken it.
// The PNG is size[0] x size[1] pixels.
std::string middleAxialSliceDataUri(const Volume& volume);

}  // namespace mc::report
