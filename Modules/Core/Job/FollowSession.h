#pragma once
// Follow mode: the motion of each volume while the scan is still running. Volumes arrive in a
// folder one file per volume (VolumeArrivals); each is aligned to the reference as it arrives
// (FrameAligner: a run's pass 1, a frame at a time), and its rp row, confounds row and FD are
// appended and flushed before the next is looked at, so another program can read them live. The
// summary is what operators watch (FIRMM's numbers): frames under each FD threshold and the usable
// minutes so far.
#include <functional>
#include <string>
#include <vector>

#include "Progress.h"
#include "RealignmentOptions.h"

namespace mc {

// The parameters of a follow run, apart from the code that runs it.
struct FollowOptions {
  std::string folder;                     // where the volumes arrive
  std::string reference;                  // an image on the volumes' grid; empty: the first volume
  int frames = 0;                         // end after this many volumes (0: no limit)
  std::string endMarker = "END";          // a file of this name in the folder ends the run ("": none)
  double timeoutSeconds = 60;             // end when no volume arrives for this long (0: wait on)
  double pollSeconds = 0.005;             // how often the folder is looked at
  double repetitionTime = 0;              // s, for usable minutes; 0: the first volume's header (if it says)
  double fdThreshold = 0.5;               // mm: a frame under it is usable
  std::vector<double> fdLevels = {0.2, 0.3, 0.5};  // mm: the counts of frames under each
  std::string params;                     // SPM rp file, one row appended per volume ("": none)
  std::string confounds;                  // confounds TSV, one row appended per volume ("": none)
  std::string realignedFolder;            // each realigned volume written here ("": none)
  int threads = 1;                        // OpenMP threads within a volume (0: all cores); one is
                                          // fastest beside other work (Docs/RealTime.md, latency)
  EstimationOptions estimation;
  ResliceOptions reslice;

  // Throws std::invalid_argument naming the option.
  void validate() const;
};

struct FollowSummary {
  int volumes = 0;
  std::vector<double> levels;             // FollowOptions::fdLevels
  std::vector<int> under;                 // frames with FD below each level
  int usable = 0;                         // frames with FD below fdThreshold
  double repetitionTime = 0;              // s, the TR used (0: unknown, so no usable minutes)
  double usableMinutes = 0;               // usable * TR / 60
  double meanFd = 0, maxFd = 0;
};

struct FollowVolume {
  int frame = 0;                          // 0, 1, ... in order of arrival
  std::string path;
  FrameMotion motion;                     // relative to the reference
  double fd = 0;                          // mm, to the previous volume (0 for the first)
  double latencySeconds = 0;              // from the file found complete to its rows flushed
  FollowSummary summary;                  // including this volume
};

enum class FollowEnd { FrameCount, EndMarker, Timeout, Cancelled };
const char* followEndName(FollowEnd end);  // "frame count", "end marker", "time-out", "cancelled"

struct FollowResult {
  FollowEnd end = FollowEnd::Timeout;
  std::vector<FollowVolume> volumes;
  std::vector<std::string> notices;       // every notice, as passed to onNotice
  int skipped = 0;                        // unreadable or refused files
};

struct FollowCallbacks {
  std::function<CallbackReturn(const FollowVolume&)> onVolume;  // after each volume's rows are flushed
  std::function<void(const std::string&)> onNotice;            // a skipped file, an out-of-order arrival
  std::function<CallbackReturn()> onWait;                      // at every look at the folder: Abort cancels
};

// Runs until an end condition. Throws std::runtime_error naming the file for a reference that
// cannot be read or an output that cannot be written; a volume that cannot be read (once a later
// one has arrived, or at the end) or that is on another grid is reported and skipped.
FollowResult followFolder(const FollowOptions& options, const FollowCallbacks& callbacks = {});

}  // namespace mc
