#include "FollowSession.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "FrameAligner.h"
#include "ImageIO.h"
#include "MotionMetrics.h"
#include "ParameterFiles.h"
#include "Reslicer.h"
#include "VolumeArrivals.h"

namespace fs = std::filesystem;

namespace mc {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A text output that grows by whole rows, each written with one call and flushed, so a reader
// never sees half a row.
class AppendedText {
public:
  AppendedText() = default;
  explicit AppendedText(const std::string& path) : path_(path) {
    if (path.empty()) return;
    file_.reset(std::fopen(path.c_str(), "w"));
    if (!file_) throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
  }
  void append(const std::string& text) {
    if (!file_) return;
    if (std::fwrite(text.data(), 1, text.size(), file_.get()) != text.size() || std::fflush(file_.get()) != 0)
      throw std::runtime_error(path_ + ": cannot write: " + std::strerror(errno));
  }

private:
  struct Close {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::string path_;
  std::unique_ptr<std::FILE, Close> file_;
};

std::string gridText(const ImageGeometry& g) {
  const auto sp = g.spacing();
  char s[128];
  std::snprintf(s, sizeof s, "%dx%dx%d voxels of %.3gx%.3gx%.3g mm", g.size[0], g.size[1], g.size[2], sp[0], sp[1],
                sp[2]);
  return s;
}

}  // namespace

const char* followEndName(FollowEnd end) {
  switch (end) {
    case FollowEnd::FrameCount: return "frame count";
    case FollowEnd::EndMarker: return "end marker";
    case FollowEnd::Timeout: return "time-out";
    case FollowEnd::Cancelled: return "cancelled";
  }
  return "?";
}

void FollowOptions::validate() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument("follow: " + what); };
  if (folder.empty()) bad("no folder to follow");
  if (!fs::is_directory(folder)) bad(folder + ": not a folder");
  if (frames < 0) bad("frames must be >= 0");
  if (threads < 0) bad("threads must be >= 0");
  if (!(timeoutSeconds >= 0)) bad("time-out must be >= 0 s");
  if (!(pollSeconds > 0)) bad("poll interval must be > 0 s");
  if (!(repetitionTime >= 0)) bad("TR must be >= 0 s");
  if (!(fdThreshold > 0)) bad("FD threshold must be > 0 mm");
  for (double level : fdLevels)
    if (!(level > 0)) bad("FD levels must be > 0 mm");
  std::error_code ec;
  if (!realignedFolder.empty() && fs::equivalent(realignedFolder, folder, ec))
    bad(realignedFolder + ": realigned volumes cannot go into the followed folder (they would be read as new volumes)");
  estimation.validate();
  reslice.validate();
}

FollowResult followFolder(const FollowOptions& o, const FollowCallbacks& cb) {
  o.validate();
#ifdef _OPENMP
  // This thread's own setting (an ICV of its implicit task): the estimator's loops use it.
  omp_set_num_threads(o.threads > 0 ? o.threads : omp_get_num_procs());
#endif
  FollowResult result;
  auto notice = [&](const std::string& line) {
    result.notices.push_back(line);
    if (cb.onNotice) cb.onNotice(line);
  };
  std::unique_ptr<FrameAligner> aligner;
  std::unique_ptr<Reslicer> reslicer;
  BSplineCoefficients resliceScratch;
  if (!o.reference.empty()) aligner = std::make_unique<FrameAligner>(readVolume(o.reference, true), o.estimation);
  AppendedText rp(o.params), confounds(o.confounds);
  if (!o.confounds.empty()) confounds.append(formatConfoundsTsv({}, {}));  // the header
  VolumeArrivals arrivals(o.folder, o.endMarker);
  RigidParameters previous{};  // the last aligned volume's parameters, for its successor's FD
  FollowSummary summary;
  summary.levels = o.fdLevels;
  summary.repetitionTime = o.repetitionTime;
  summary.under.assign(o.fdLevels.size(), 0);
  std::map<std::string, std::string> unreadable;  // path -> why, until a later volume has arrived
  std::set<std::string> abandoned;                 // unreadable files reported and skipped
  auto giveUpOn = [&](const std::string& upTo) {  // unreadable files before upTo ("": all) are corrupt
    for (auto it = unreadable.begin(); it != unreadable.end();) {
      if (!upTo.empty() && !(fs::path(it->first).filename() < fs::path(upTo).filename())) {
        ++it;
        continue;
      }
      notice(it->second + "; skipped");
      ++result.skipped;
      abandoned.insert(it->first);
      it = unreadable.erase(it);
    }
  };

  std::string lastRead;  // the latest name read so far
  Clock::time_point lastArrival = Clock::now();
  for (;;) {
    if (cb.onWait && cb.onWait() == CallbackReturn::Abort) {
      result.end = FollowEnd::Cancelled;
      break;
    }
    const Clock::time_point found = Clock::now();
    const std::vector<std::string> ready = arrivals.poll();
    for (const std::string& line : arrivals.takeNotices()) notice(line);
    bool cancelled = false, enough = false;
    for (const std::string& path : ready) {
      Volume v;
      double headerTr = 0;
      try {
        v = readVolume(path, false, &headerTr);
      } catch (const std::exception& e) {
        unreadable[path] = e.what();
        arrivals.retryLater(path);
        // A volume named after it has already been read: the writer has moved on, so this one is
        // not going to be finished (it was seen late, after those, e.g. on a busy machine).
        if (!lastRead.empty() && fs::path(path).filename() < fs::path(lastRead).filename()) giveUpOn(lastRead);
        continue;
      }
      if (lastRead.empty() || fs::path(lastRead).filename() < fs::path(path).filename()) lastRead = path;
      unreadable.erase(path);
      abandoned.erase(path);
      giveUpOn(path);
      lastArrival = Clock::now();
      FrameMotion motion;
      const int frame = summary.volumes;
      if (summary.volumes == 0 && summary.repetitionTime == 0) summary.repetitionTime = headerTr;
      if (!aligner) {  // the first volume is the reference: its motion is the identity
        aligner = std::make_unique<FrameAligner>(v, o.estimation);
        motion.frame = frame;
        motion.parameters = spmImatrix(motion.transform);
      } else if (!v.geometry.sameGridAs(aligner->geometry(), 1e-3)) {  // the weight image's rule
        notice(path + ": another grid (" + gridText(v.geometry) + ", the reference has " +
               gridText(aligner->geometry()) + "); skipped");
        ++result.skipped;
        continue;
      } else {
        motion = aligner->align(v.voxels.data(), frame);
        if (!motion.warning.empty()) notice(path + ": " + motion.warning);
      }
      const double d = frame == 0 ? 0.0 : framewiseDisplacement({previous, motion.parameters})[1];
      previous = motion.parameters;
      rp.append(formatRpFile({motion.parameters}));
      if (!o.confounds.empty()) confounds.append(formatConfoundsRow(motion.parameters, d, frame));

      ++summary.volumes;
      for (std::size_t i = 0; i < o.fdLevels.size(); ++i) summary.under[i] += d < o.fdLevels[i];
      summary.usable += d < o.fdThreshold;
      summary.usableMinutes = summary.usable * summary.repetitionTime / 60.0;
      summary.meanFd += (d - summary.meanFd) / summary.volumes;
      summary.maxFd = std::max(summary.maxFd, d);

      FollowVolume event;
      event.frame = frame;
      event.path = path;
      event.motion = motion;
      event.fd = d;
      event.latencySeconds = secondsSince(found);
      event.summary = summary;
      if (!o.realignedFolder.empty()) {
        if (!reslicer) reslicer = std::make_unique<Reslicer>(aligner->geometry(), o.reslice);
        Volume out{aligner->geometry(), std::vector<float>(v.voxels.size())};
        reslicer->resliceFrame(v.voxels.data(), motion.transform, out.voxels.data(), resliceScratch);
        writeVolume((fs::path(o.realignedFolder) / ("r" + fs::path(path).filename().string())).string(), out,
                    summary.repetitionTime);
      }
      result.volumes.push_back(event);
      if (cb.onVolume && cb.onVolume(event) == CallbackReturn::Abort) {
        cancelled = true;
        break;
      }
      if (o.frames > 0 && summary.volumes >= o.frames) {
        enough = true;
        break;
      }
    }
    if (cancelled) {
      result.end = FollowEnd::Cancelled;
      break;
    }
    if (enough) {
      result.end = FollowEnd::FrameCount;
      break;
    }
    // The end marker ends the run once every file seen is aligned or known unreadable.
    bool settled = true;
    for (const std::string& path : arrivals.unsettled()) settled = settled && (unreadable.count(path) || abandoned.count(path));
    if (arrivals.ended() && ready.empty() && settled) {
      result.end = FollowEnd::EndMarker;
      break;
    }
    if (o.timeoutSeconds > 0 && secondsSince(lastArrival) > o.timeoutSeconds) {
      result.end = FollowEnd::Timeout;
      break;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o.pollSeconds));
  }
  giveUpOn({});
  return result;
}

}  // namespace mc
