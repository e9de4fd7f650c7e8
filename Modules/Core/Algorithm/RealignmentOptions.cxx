#include "RealignmentOptions.h"

#include <cmath>
#include <stdexcept>

namespace mc {

void EstimationOptions::validate() const {
  auto fail = [](const std::string& m) { throw std::invalid_argument(m); };
  if (!(quality > 0 && quality <= 1)) fail("quality must be in (0, 1], got " + std::to_string(quality));
  if (!(separation > 0) || !std::isfinite(separation))
    fail("sep (sample separation) must be > 0 mm, got " + std::to_string(separation));
  if (!(fwhm >= 0) || !std::isfinite(fwhm)) fail("fwhm must be >= 0 mm, got " + std::to_string(fwhm));
  if (interpolation < 1 || interpolation > 7)
    fail("interp (estimation B-spline degree) must be 1..7, got " + std::to_string(interpolation));
  if (referenceFrame < 0) fail("reference frame must be >= 0, got " + std::to_string(referenceFrame));
  if (maxIterations < 1) fail("max iterations must be >= 1");
  if (!(convergenceMm >= 0) || !std::isfinite(convergenceMm))
    fail("convergence tolerance must be >= 0 mm, got " + std::to_string(convergenceMm));
  if (referenceInterpolation < 0 || referenceInterpolation > 7)
    fail("reference B-spline degree must be 0 (same as interp) or 1..7, got " +
         std::to_string(referenceInterpolation));
  if (meanInterpolation < 0 || meanInterpolation > 7)
    fail("mean B-spline degree must be 0..7, got " + std::to_string(meanInterpolation));
}

void ResliceOptions::validate() const {
  if (interpolation < 0 || interpolation > 7)
    throw std::invalid_argument("reslice-interp (B-spline degree) must be 0..7, got " +
                                std::to_string(interpolation));
}

}  // namespace mc
