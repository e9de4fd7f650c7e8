#include "internal/DatasetQueue.h"

#include <algorithm>
#include <filesystem>

#include "AtomicOutput.h"
#include "DatasetSummaryTable.h"
#include "DerivativesLayout.h"
#include "BidsRuns.h"
#include "DatasetReport.h"

namespace mc {

namespace {
bool byPath(const DatasetRunResult& a, const DatasetRunResult& b) { return a.run.relativePath < b.run.relativePath; }
}  // namespace

DatasetQueueBook::DatasetQueueBook(const DatasetOptions& options, const std::vector<BidsRun>& runs,
                                   const DatasetCallback& progress)
    : options_(options), progress_(progress), total_(int(runs.size())) {
  for (const BidsRun& r : runs) totalBytes_ += r.bytes;
  if (progress_ && progress_(snapshot()) == CallbackReturn::Abort) cancelled_ = true;
}

DatasetProgress DatasetQueueBook::snapshot() const {
  DatasetProgress p;
  p.total = total_;
  for (const DatasetRunResult& r : ended_) {
    if (r.status == RunStatus::Done) ++p.done;
    else if (r.status == RunStatus::Skipped) ++p.skipped;
    else ++p.failed;
  }
  p.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  // Throughput of the corrections so far (bytes of input per wall second, over however many ranks
  // work at once), applied to what is left; skipped runs cost nothing and do not count.
  if (correctedBytes_ > 0 && correctedSeconds_ > 0) {
    const double rate = double(correctedBytes_) / correctedSeconds_;
    p.remainingSeconds = double(totalBytes_ - endedBytes_) / rate;
  }
  return p;
}

void DatasetQueueBook::writeSummary() {
  std::vector<DatasetRunResult> rows = ended_;
  std::sort(rows.begin(), rows.end(), byPath);
  writeTextAtomically((std::filesystem::path(options_.derivativesRoot) / kDatasetSummaryName).string(),
                      formatDatasetSummary(rows, options_.fdThreshold));
}

void DatasetQueueBook::finished(DatasetRunResult result) {
  endedBytes_ += result.run.bytes;
  if (result.status != RunStatus::Skipped) {
    // The wall time from the first correction's start: with several ranks at once, runs overlap.
    const auto now = std::chrono::steady_clock::now();
    if (correctedBytes_ == 0)
      firstCorrectedStart_ = now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(result.seconds));
    correctedBytes_ += result.run.bytes;
    correctedSeconds_ = std::chrono::duration<double>(now - firstCorrectedStart_).count();
  }
  ended_.push_back(std::move(result));
  writeSummary();
  if (!progress_) return;
  DatasetProgress p = snapshot();
  p.latest = &ended_.back();
  if (progress_(p) == CallbackReturn::Abort) cancelled_ = true;
}

CallbackReturn DatasetQueueBook::frame(const BidsRun& run, const ProgressEvent& event) {
  if (cancelled_) return CallbackReturn::Abort;
  if (!progress_) return CallbackReturn::Continue;
  DatasetProgress p = snapshot();
  p.current = &run;
  p.frame = &event;
  if (progress_(p) == CallbackReturn::Abort) cancelled_ = true;
  return cancelled_ ? CallbackReturn::Abort : CallbackReturn::Continue;
}

DatasetResult DatasetQueueBook::close() {
  DatasetResult r;
  r.runs = ended_;
  std::sort(r.runs.begin(), r.runs.end(), byPath);
  r.cancelled = cancelled_;
  writeSummary();
  r.summaryPath = (std::filesystem::path(options_.derivativesRoot) / kDatasetSummaryName).string();
  if (options_.report) r.reportPath = writeDatasetReport(options_.derivativesRoot, r.runs, options_.fdThreshold);
  return r;
}

std::string writeReportFromSummary(const DatasetOptions& options) {
  const std::string summary = (std::filesystem::path(options.derivativesRoot) / kDatasetSummaryName).string();
  std::vector<DatasetRunResult> rows = readDatasetSummary(summary);
  for (DatasetRunResult& r : rows) {
    const RunMotionSummary motion = r.motion;
    const BidsRun found = bidsRunAt(options.bidsRoot, r.run.relativePath);
    r.run = found;
    r.motion = motion;
  }
  return writeDatasetReport(options.derivativesRoot, rows, options.fdThreshold);
}

}  // namespace mc
