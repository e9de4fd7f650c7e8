#include "Progress.h"

#include <algorithm>

namespace mc {

const char* stageName(Stage s) {
  switch (s) {
    case Stage::Pass1: return "pass 1";
    case Stage::Mean: return "mean";
    case Stage::Pass2: return "pass 2";
    case Stage::Reslice: return "reslice";
  }
  return "?";
}

double ProgressPlan::fraction(Stage s, int completed, int total) const {
  // Relative costs measured on the 64x64x33 benchmark run: a pass ~ 1, the mean ~ 0.3, reslice ~ 1.
  const double wPass = 1.0, wMean = registerToMean ? 0.3 : 0.0, wPass2 = registerToMean ? 1.0 : 0.0,
               wRes = reslice ? 1.0 : 0.0;
  const double all = wPass + wMean + wPass2 + wRes;
  const double f = total > 0 ? std::clamp(double(completed) / total, 0.0, 1.0) : 1.0;
  double before = 0, w = 0;
  switch (s) {
    case Stage::Pass1: before = 0; w = wPass; break;
    case Stage::Mean: before = wPass; w = wMean; break;
    case Stage::Pass2: before = wPass + wMean; w = wPass2; break;
    case Stage::Reslice: before = wPass + wMean + wPass2; w = wRes; break;
  }
  return std::clamp((before + w * f) / all, 0.0, 1.0);
}

}  // namespace mc
