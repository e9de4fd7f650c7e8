#include "RunMotionSummary.h"

#include <algorithm>
#include <cmath>

namespace mc {

RunMotionSummary summarizeRunMotion(const std::vector<RigidParameters>& parameters, const std::vector<double>& fd,
                                    double repetitionTime, double fdThreshold) {
  RunMotionSummary s;
  s.frames = int(parameters.size());
  s.repetitionTime = repetitionTime;
  constexpr double kDegrees = 180.0 / 3.14159265358979323846;
  for (const RigidParameters& p : parameters) {
    for (int k = 0; k < 3; ++k) {
      s.maxTranslation = std::max(s.maxTranslation, std::abs(p[k]));
      s.maxRotation = std::max(s.maxRotation, std::abs(p[k + 3]) * kDegrees);
    }
  }
  double sum = 0;
  for (double f : fd) {
    sum += f;
    s.maxFd = std::max(s.maxFd, f);
    if (f > fdThreshold) ++s.framesOver;
  }
  // FD_0 is 0 by definition: the mean is over the frames that have a predecessor.
  s.meanFd = fd.size() > 1 ? sum / double(fd.size() - 1) : 0;
  s.minutesOver = repetitionTime > 0 ? s.framesOver * repetitionTime / 60.0 : 0;
  return s;
}

}  // namespace mc
