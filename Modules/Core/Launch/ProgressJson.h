#pragma once
// Progress of a run as text, one JSON object per line: how the MPI worker tells whoever launched it
// (the CLI's --backend mpi, the Qt engine) what is happening, live, through mpirun's stdout.
//
//   {"event":"started","frames":11,"ranks":3}
//   {"event":"frame","stage":"pass 1","frame":4,"rank":1,"parameters":[x,y,z,pitch,roll,yaw]}
//   {"event":"frame","stage":"reslice","frame":4,"rank":1}
//   {"event":"warning","message":"frame 3: all voxels are zero; ..."}
//   {"event":"result","frame":4,"parameters":[...],"fd":0.12}        (final, from rank 0)
//   {"event":"finished","written":["/out/rp.txt"],"timings":{"read":0.1,"estimate":2.3}}
//   {"event":"error","message":"run.nii: cannot read ..."}
//
// Frame messages come from every rank, in any interleaving; ProgressMerger turns them into the same
// ProgressEvents the in-process engine reports, with an overall fraction that only rises.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "Progress.h"
#include "RigidTransform.h"

namespace mc {

struct ProgressMessage {
  enum class Kind { Started, Frame, Warning, Result, Finished, Error };
  Kind kind = Kind::Frame;

  // Frame: frame `frame` finished `stage` on `rank`; estimation stages carry its parameters
  // relative to the reference frame (as the in-process engine shows them).
  // Result: the final parameters of `frame` and its framewise displacement.
  Stage stage = Stage::Pass1;
  int frame = -1;
  int rank = 0;
  bool hasParameters = false;
  RigidParameters parameters;
  double framewiseDisplacement = 0;

  int frames = 0;  // Started
  int ranks = 0;   // Started

  std::string text;                                     // Warning, Error
  std::vector<std::string> written;                     // Finished: paths
  std::vector<std::pair<std::string, double>> timings;  // Finished: seconds per stage

  static ProgressMessage started(int frames, int ranks);
  static ProgressMessage frameDone(Stage stage, int frame, int rank, const FrameMotion* shown = nullptr);
  static ProgressMessage result(int frame, const RigidParameters& p, double fd);
  static ProgressMessage warning(const std::string& text);
  static ProgressMessage error(const std::string& text);
};

const char* kindName(ProgressMessage::Kind kind);  // "started", "frame", ...

// One line of JSON, without the newline.
std::string formatProgressMessage(const ProgressMessage& m);

// The message on this line, or nothing when the line is not one (other output shares the stream).
std::optional<ProgressMessage> parseProgressMessage(const std::string& line);

// Counts frame messages per stage and reports them as ProgressEvents. The overall fraction is the
// plan's weighted sum over stages, so it rises with every frame whatever order ranks report in.
class ProgressMerger {
public:
  ProgressMerger(int frames, const ProgressPlan& plan);
  // For a Frame message. `shown` receives the frame's parameters (and their matrix) when the
  // message has them; the event's motion then points to it.
  ProgressEvent add(const ProgressMessage& frameMessage, FrameMotion& shown);
  double fraction() const;

private:
  int frames_;
  ProgressPlan plan_;
  int done_[4] = {0, 0, 0, 0};
};

}  // namespace mc
