#include "DatasetWorker.h"

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "JobParameters.h"
#include "internal/MotionSummaryJson.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace mc {

namespace {
// The dataset's own lines; the rest of the file is the job template's name=value lines.
constexpr const char* kBids = "dataset-bids=";
constexpr const char* kDerivatives = "dataset-derivatives=";
constexpr const char* kThreshold = "dataset-fd-threshold=";
constexpr const char* kResume = "dataset-resume=";
constexpr const char* kRun = "dataset-run=";

bool startsWith(const std::string& s, const char* head) { return s.rfind(head, 0) == 0; }
std::string after(const std::string& s, const char* head) { return s.substr(std::string(head).size()); }
}  // namespace

std::string formatDatasetJob(const DatasetOptions& o, const std::vector<BidsRun>& runs) {
  std::ostringstream out;
  // Absolute: the ranks may start in another folder (or on another host sharing the file system).
  out << kBids << fs::absolute(o.bidsRoot).lexically_normal().string() << "\n"
      << kDerivatives << fs::absolute(o.derivativesRoot).lexically_normal().string() << "\n";
  out.precision(17);
  out << kThreshold << o.fdThreshold << "\n" << kResume << (o.resume ? 1 : 0) << "\n";
  for (const BidsRun& r : runs) out << kRun << r.relativePath << "\n";
  out << formatJobFile(o.job);
  return out.str();
}

DatasetJob parseDatasetJob(const std::string& text, const std::string& source) {
  DatasetJob job;
  std::istringstream in(text);
  std::string line, jobLines;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    try {
      if (startsWith(line, kBids)) job.options.bidsRoot = after(line, kBids);
      else if (startsWith(line, kDerivatives)) job.options.derivativesRoot = after(line, kDerivatives);
      else if (startsWith(line, kThreshold)) job.options.fdThreshold = std::stod(after(line, kThreshold));
      else if (startsWith(line, kResume)) job.options.resume = after(line, kResume) == "1";
      else if (startsWith(line, kRun)) job.runs.push_back(bidsRunAt(job.options.bidsRoot, after(line, kRun)));
      else {
        jobLines += line + "\n";
        continue;
      }
    } catch (const std::exception& e) {
      throw std::runtime_error(source + ": line " + std::to_string(n) + ": " + e.what());
    }
    jobLines += "#\n";  // keeps the template's line numbers in its errors
  }
  job.options.job = parseJobText(jobLines, source);
  if (job.options.bidsRoot.empty() || job.options.derivativesRoot.empty())
    throw std::runtime_error(source + ": not a dataset job (no dataset-bids= or dataset-derivatives= line)");
  return job;
}

void workDatasetQueue(const DatasetJob& job, int rank, const std::function<int()>& nextRun,
                      const std::function<void(const std::string&)>& send) {
  for (int i = nextRun(); i >= 0 && i < int(job.runs.size()); i = nextRun()) {
    send(json{{"event", "run-started"}, {"index", i}, {"rank", rank}}.dump());
    const DatasetRunResult r = correctDatasetRun(job.runs[std::size_t(i)], job.options);
    send(json{{"event", "run"},
              {"index", i},
              {"rank", rank},
              {"status", runStatusName(r.status)},
              {"reason", r.reason},
              {"seconds", r.seconds},
              {"motion", motionSummaryJson(r.motion)}}
             .dump());
  }
}

std::optional<DatasetWorkerMessage> parseDatasetWorkerMessage(const std::string& line) {
  if (line.empty() || line[0] != '{') return std::nullopt;
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const std::string event = j.value("event", "");
  if (event != "run" && event != "run-started") return std::nullopt;
  DatasetWorkerMessage m;
  m.ended = event == "run";
  m.index = j.value("index", -1);
  m.result.rank = j.value("rank", 0);
  if (!m.ended) return m;
  const std::string status = j.value("status", "failed");
  m.result.status = status == "done" ? RunStatus::Done : status == "skipped" ? RunStatus::Skipped : RunStatus::Failed;
  m.result.reason = j.value("reason", "");
  m.result.seconds = j.value("seconds", 0.0);
  if (j.contains("motion") && j["motion"].is_object()) {
    try {
      m.result.motion = motionSummaryFromJson(j["motion"]);
    } catch (const json::exception&) {
      return std::nullopt;  // not a message of ours
    }
  }
  return m;
}

}  // namespace mc
