#pragma once
// What a run's confounds sidecar (desc-confounds_timeseries.json) records beside the BIDS column
// descriptions: the input it came from (size and checksum), the parameters it was corrected with,
// its motion summary and outputs. It is written last, so a sidecar that matches the input and the
// parameters means the run is complete: a resumed batch skips it.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "JobSpec.h"
#include "RunMotionSummary.h"

namespace mc {

struct RunProvenance {
  std::string source;            // the input, relative to the BIDS root
  std::uintmax_t inputBytes = 0;
  std::string inputChecksum;     // "crc32:89abcdef" of the input file's bytes
  std::vector<std::pair<std::string, std::string>> parameters;  // what changes the outputs, as text
  RunMotionSummary motion;
  std::vector<std::string> outputs;  // file names, in the sidecar's folder
};

// CRC-32 of the file's bytes (libdeflate), as "crc32:%08x". Throws std::runtime_error naming the file.
std::string fileChecksum(const std::string& path);

// The parameters of spec that change its outputs (the job parameters without paths and threads).
std::vector<std::pair<std::string, std::string>> provenanceParameters(const JobSpec& spec);

std::string formatConfoundsSidecar(const RunProvenance& p);
// Throws std::runtime_error naming the file when it is missing, not JSON, or not ours.
RunProvenance readConfoundsSidecar(const std::string& path);

// The recorded provenance when `sidecarPath` records the same source, size, checksum and parameters
// as `expected` and every output it lists exists beside it; nothing otherwise.
std::optional<RunProvenance> completedRun(const std::string& sidecarPath, const RunProvenance& expected);

}  // namespace mc
