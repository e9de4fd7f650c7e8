#include "FollowReport.h"

#include <cstdarg>
#include <cstdio>
#include <filesystem>

namespace mc::cli {
namespace {

constexpr double kDegreesPerRadian = 57.29577951308232;

std::string formatted(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string formatted(const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return buffer;
}

double percent(int part, int whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

std::string usableText(const FollowSummary& s) {
  std::string t = formatted("usable %d (%.1f%%", s.usable, percent(s.usable, s.volumes));
  t += s.repetitionTime > 0 ? formatted(", %.2f min)", s.usableMinutes) : std::string(", TR unknown: give --tr for minutes)");
  return t;
}

}  // namespace

std::string formatFollowVolume(const FollowVolume& v, double fdThreshold) {
  const auto& p = v.motion.parameters.values;
  const FollowSummary& s = v.summary;
  std::string line = formatted("volume %d %s: FD %.3f mm%s; x %.3f y %.3f z %.3f mm, pitch %.3f roll %.3f yaw %.3f deg; FD <",
                            v.frame, std::filesystem::path(v.path).filename().c_str(), v.fd,
                            v.fd < fdThreshold ? "" : " OVER", p[0], p[1], p[2], p[3] * kDegreesPerRadian,
                            p[4] * kDegreesPerRadian, p[5] * kDegreesPerRadian);
  std::string counts, shares;
  for (std::size_t i = 0; i < s.levels.size(); ++i) {
    line += formatted("%s%g", i ? "/" : " ", s.levels[i]);
    counts += formatted("%s%d", i ? "/" : "", s.under[i]);
    shares += formatted("%s%.0f", i ? "/" : "", percent(s.under[i], s.volumes));
  }
  line += " mm: " + counts + formatted(" of %d (", s.volumes) + shares + "%); " + usableText(s);
  line += formatted("; %.1f ms", 1e3 * v.latencySeconds);
  return line;
}

std::string formatFollowSummary(const FollowResult& r, double fdThreshold) {
  const FollowSummary s = r.volumes.empty() ? FollowSummary{} : r.volumes.back().summary;
  std::string line = formatted("ended (%s): %d volumes", followEndName(r.end), s.volumes);
  if (r.skipped) line += formatted(", %d skipped", r.skipped);
  line += formatted("; mean FD %.3f mm, max %.3f mm; ", s.meanFd, s.maxFd) + usableText(s);
  return line + formatted(" under FD %g mm", fdThreshold);
}

}  // namespace mc::cli
