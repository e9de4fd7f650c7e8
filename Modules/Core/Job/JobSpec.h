#pragma once
// What one motion correction is asked to do: the input, the outputs, the estimation and reslice
// options. Every face fills one (through the parameter table, JobParameters.h) and the job checks
// itself before any work starts.
#include <string>
#include <vector>

#include "RealignmentOptions.h"

namespace mc {

struct JobSpec {
  std::string input;
  std::string realignedOutput;   // empty: not written
  std::string meanOutput;
  std::string parametersOutput;  // rp_*.txt
  std::string transformsOutput;  // 4x4 per frame
  std::string confoundsOutput;   // TSV
  std::string weightImage;       // optional weighting/mask image on the reference grid
  EstimationOptions estimation;
  ResliceOptions reslice;
  bool estimateOnly = false;
  bool keepDataType = false;     // write the realigned run in the input's datatype (rounded)
  int threads = 0;               // 0: all cores

  // Throws std::invalid_argument naming the offending option or path.
  void validate() const;
  // Every output path, given or not (empty: not written), in a fixed order.
  std::vector<std::string> outputPaths() const {
    return {realignedOutput, meanOutput, parametersOutput, transformsOutput, confoundsOutput};
  }
};

}  // namespace mc
