#pragma once
// What the follow CLI prints: a readable line per volume (what an operator watches in a terminal,
// and what Slicer shows as the module's output), the notices, and the summary at the end.
#include <string>

#include "FollowSession.h"

namespace mc::cli {

// "volume 12 bold_0012.nii: FD 0.123 mm; x .. y .. z .. mm, pitch .. roll .. yaw .. deg;
//  FD < 0.2/0.3/0.5 mm: 10/11/12 of 12 (83/92/100%); usable 12 (0.40 min); 5.2 ms"
// with " OVER" after the FD when it is not under the threshold.
std::string formatFollowVolume(const FollowVolume& v, double fdThreshold);

// "ended (end marker): 150 volumes, 3 skipped; mean FD 0.08 mm, max 0.62 mm; usable 148 (98.7%, 4.93 min) under FD 0.5 mm"
std::string formatFollowSummary(const FollowResult& r, double fdThreshold);

}  // namespace mc::cli
