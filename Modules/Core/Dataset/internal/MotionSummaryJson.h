#pragma once
// RunMotionSummary as JSON, one form for the sidecar's "Summary" and the worker's run messages.
#include <nlohmann/json.hpp>

#include "RunMotionSummary.h"

namespace mc {

inline nlohmann::json motionSummaryJson(const RunMotionSummary& m) {
  return {{"Frames", m.frames},
          {"RepetitionTime", m.repetitionTime},
          {"MeanFramewiseDisplacement", m.meanFd},
          {"MaxFramewiseDisplacement", m.maxFd},
          {"FramesOverThreshold", m.framesOver},
          {"MinutesOverThreshold", m.minutesOver},
          {"MaxTranslation", m.maxTranslation},
          {"MaxRotationDegrees", m.maxRotation}};
}

// Throws nlohmann::json::exception when a field is missing or of the wrong type.
inline RunMotionSummary motionSummaryFromJson(const nlohmann::json& s) {
  RunMotionSummary m;
  m.frames = s.at("Frames").get<int>();
  m.repetitionTime = s.at("RepetitionTime").get<double>();
  m.meanFd = s.at("MeanFramewiseDisplacement").get<double>();
  m.maxFd = s.at("MaxFramewiseDisplacement").get<double>();
  m.framesOver = s.at("FramesOverThreshold").get<int>();
  m.minutesOver = s.at("MinutesOverThreshold").get<double>();
  m.maxTranslation = s.at("MaxTranslation").get<double>();
  m.maxRotation = s.at("MaxRotationDegrees").get<double>();
  return m;
}

}  // namespace mc
