#pragma once
// What one invocation of MotionCorrectionDatasetCLI asks for: the dataset options (the job
// template through the one parameter table, as MotionCorrectionCLI sets it) and how progress is
// reported. The BIDS-app form (bids_dir output_dir participant|group) is rewritten to flags first.
#include <string>
#include <vector>

#include "CommandLine.h"
#include "DatasetRun.h"
#include "ExecutionModelDescription.h"

namespace mc::cli {

enum class AnalysisLevel { Participant, Group };

struct DatasetRequest {
  DatasetOptions options;
  AnalysisLevel level = AnalysisLevel::Participant;
  std::string progress = "auto";
};

const std::string& datasetXml();
const ModuleDescription& datasetDescription();

// `bids_dir output_dir participant [flags]` (or `group`) as `--bids bids_dir --derivatives output_dir
// [flags]`, the level in `level`; other argument lists are returned as they are.
std::vector<std::string> bidsAppArguments(const std::vector<std::string>& args, AnalysisLevel& level);

// Throws std::invalid_argument("--flag: problem") naming the flag as typed.
DatasetRequest datasetRequestFromCommandLine(const ModuleDescription& d, const CommandLine& c, AnalysisLevel level);

}  // namespace mc::cli
