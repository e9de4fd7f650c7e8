#pragma once
// The few numbers a dataset's table shows per run: how much the head moved and how much of the
// run is usable at a framewise-displacement threshold.
#include <vector>

#include "RigidTransform.h"

namespace mc {

struct RunMotionSummary {
  int frames = 0;
  double repetitionTime = 0;    // s; 0: unknown (minutes are then not given)
  double meanFd = 0, maxFd = 0;  // mm
  int framesOver = 0;           // FD above the threshold
  double minutesOver = 0;       // framesOver x TR
  double maxTranslation = 0;    // mm, largest |x|, |y| or |z| relative to the reference
  double maxRotation = 0;       // degrees, largest |pitch|, |roll| or |yaw|
};

RunMotionSummary summarizeRunMotion(const std::vector<RigidParameters>& parameters, const std::vector<double>& fd,
                                    double repetitionTime, double fdThreshold);

}  // namespace mc
