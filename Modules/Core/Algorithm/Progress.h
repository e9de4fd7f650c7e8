#pragma once
// Progress and cancellation, shaped like Ceres' IterationCallback: the engine reports after every
// unit of work and the callback's answer decides whether it goes on.
#include <functional>
#include <stdexcept>
#include <string>

#include "Matrix4.h"
#include "RigidTransform.h"

namespace mc {

enum class Stage { Pass1, Mean, Pass2, Reslice };
const char* stageName(Stage s);  // "pass 1", "mean", "pass 2", "reslice"

// What the estimator found for one frame.
struct FrameMotion {
  int frame = -1;
  Matrix4 transform;            // world-space (RAS mm) motion of this frame, see Realigner.h
  RigidParameters parameters;   // spmImatrix(transform)
  int iterations = 0;
  int samplePoints = 0;         // points inside the frame's field of view at the last iteration
  double meanSquaredResidual = 0;
  std::string warning;          // non-empty when the frame needed special handling
};

struct ProgressEvent {
  Stage stage = Stage::Pass1;
  int frame = -1;                       // frame just finished (-1 for stage-level events)
  int completed = 0;                    // frames finished in this stage
  int total = 0;                        // frames in this stage
  double fraction = 0;                  // overall, 0..1
  const FrameMotion* motion = nullptr;  // set by estimation stages
};

enum class CallbackReturn { Continue, Abort };
using ProgressCallback = std::function<CallbackReturn(const ProgressEvent&)>;

// Thrown when a callback answered Abort. Outputs are not written after it.
class Cancelled : public std::runtime_error {
public:
  Cancelled() : std::runtime_error("cancelled") {}
};

// Weights of the stages in the overall fraction, so every face reports the same numbers.
struct ProgressPlan {
  bool registerToMean = true;
  bool reslice = true;
  double fraction(Stage s, int completed, int total) const;
  // The event for `frame` finishing as the completed-th of total in stage s.
  ProgressEvent frameEvent(Stage s, int frame, int completed, int total, const FrameMotion* motion = nullptr) const {
    ProgressEvent e;
    e.stage = s;
    e.frame = frame;
    e.completed = completed;
    e.total = total;
    e.fraction = fraction(s, completed, total);
    e.motion = motion;
    return e;
  }
};

}  // namespace mc
