// Compares estimated motion with the truth (both SPM rp files) as displacement of the head: the
// error a user of the corrected run actually sees, not a mix of mm and radians.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "ImageIO.h"
#include "MotionMetrics.h"
#include "ParameterFiles.h"

int main(int argc, char** argv) {
  std::string estimated, truth, run;
  int rows = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--estimated") estimated = v;
    else if (a == "--truth") truth = v;
    else if (a == "--run") run = v;
    else if (a == "--rows") rows = std::stoi(v);
    else {
      std::fprintf(stderr, "CompareMotion: error: %s: unknown option\n", a.c_str());
      return 2;
    }
  }
  if (estimated.empty() || truth.empty() || run.empty()) {
    std::fprintf(stderr, "Usage: CompareMotion --estimated rp.txt --truth rp_true.txt --run run.nii.gz [--rows N]\n");
    return 2;
  }
  try {
    const auto est = mc::parseRpFile(estimated), tru = mc::parseRpFile(truth);
    if (est.size() != tru.size())
      throw std::runtime_error(estimated + ": " + std::to_string(est.size()) + " frames, but " + truth + " has " +
                               std::to_string(tru.size()));
    const auto head = mc::headPoints(mc::readVolumeSeries(run).extractFrame(0));
    std::printf("frame |        true x y z (mm), pitch roll yaw (deg)       |      recovered x y z (mm), pitch roll yaw (deg)   | error mm\n");
    double mean = 0, worst = 0;
    const double deg = 180.0 / M_PI;
    const std::size_t step = std::max<std::size_t>(1, est.size() / std::max(1, rows));
    for (std::size_t j = 0; j < est.size(); ++j) {
      const auto d = mc::displacementBetween(mc::spmMatrix(est[j]), mc::spmMatrix(tru[j]), head);
      mean += d.mean;
      worst = std::max(worst, d.max);
      if (j % step == 0 || j + 1 == est.size())
        std::printf("%5zu | %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f | %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f | %.4f\n", j,
                    tru[j][0], tru[j][1], tru[j][2], tru[j][3] * deg, tru[j][4] * deg, tru[j][5] * deg, est[j][0],
                    est[j][1], est[j][2], est[j][3] * deg, est[j][4] * deg, est[j][5] * deg, d.mean);
    }
    std::printf("displacement error over the head (%zu points): mean %.4f mm, max %.4f mm\n", head.size(),
                mean / double(est.size()), worst);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "CompareMotion: error: %s\n", e.what());
    return 1;
  }
}
