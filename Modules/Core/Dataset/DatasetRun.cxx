#include "DatasetRun.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "AtomicOutput.h"
#include "DatasetReport.h"
#include "DatasetSummaryTable.h"
#include "DerivativesLayout.h"
#include "ImageIO.h"
#include "MotionMetrics.h"
#include "ParameterFiles.h"
#include "Run.h"
#include "RunProvenance.h"
#include "internal/DatasetQueue.h"

namespace fs = std::filesystem;

namespace mc {

const char* runStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::Done: return "done";
    case RunStatus::Skipped: return "skipped";
    case RunStatus::Failed: return "failed";
  }
  return "?";
}

int DatasetResult::count(RunStatus s) const {
  return int(std::count_if(runs.begin(), runs.end(), [s](const DatasetRunResult& r) { return r.status == s; }));
}

void DatasetOptions::validate() const {
  if (bidsRoot.empty()) throw std::invalid_argument("--bids: required (the BIDS dataset's folder)");
  if (derivativesRoot.empty()) throw std::invalid_argument("--derivatives: required (the output folder)");
  std::error_code ec;
  if (!fs::is_directory(bidsRoot, ec)) throw std::invalid_argument(bidsRoot + ": not a folder (the BIDS dataset)");
  const fs::path raw = fs::weakly_canonical(bidsRoot, ec), out = fs::weakly_canonical(derivativesRoot, ec);
  if (raw == out) throw std::invalid_argument(derivativesRoot + ": is the BIDS folder itself; outputs never go over the inputs");
  if (!(fdThreshold > 0)) throw std::invalid_argument("--fd-threshold: must be > 0 mm");
  // The template's own checks, with a stand-in input and output: the real ones are the runs'.
  JobSpec probe = job;
  probe.input = "run.nii";
  probe.parametersOutput = "rp.txt";
  probe.validate();
  if (backend == Backend::Mpi && mpi.ranks < 1) throw std::invalid_argument("--mpi-ranks: must be >= 1");
}

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

RunProvenance expectedProvenance(const BidsRun& run, const JobSpec& spec) {
  RunProvenance p;
  p.source = run.relativePath;
  std::error_code ec;
  p.inputBytes = fs::file_size(run.input, ec);
  if (ec) throw std::runtime_error(run.input + ": cannot read: " + ec.message());
  p.inputChecksum = fileChecksum(run.input);
  p.parameters = provenanceParameters(spec);
  return p;
}

// The summary from the rp file on disk, at this batch's threshold (a resumed batch may use another).
RunMotionSummary summaryFromFiles(const RunOutputs& o, const RunProvenance& recorded, double fdThreshold) {
  const std::vector<RigidParameters> params = parseRpFile(o.parameters);
  return summarizeRunMotion(params, framewiseDisplacement(params), recorded.motion.repetitionTime, fdThreshold);
}

}  // namespace

DatasetRunResult correctDatasetRun(const BidsRun& run, const DatasetOptions& options, const ProgressCallback& progress) {
  DatasetRunResult r;
  r.run = run;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    const JobSpec spec = derivativesJob(run, options.derivativesRoot, options.job);
    const RunOutputs o = runOutputs(run, options.derivativesRoot, options.job.estimateOnly);
    RunProvenance p = expectedProvenance(run, spec);
    if (const auto recorded = options.resume ? completedRun(o.confoundsSidecar, p) : std::nullopt) {
      r.status = RunStatus::Skipped;
      r.motion = summaryFromFiles(o, *recorded, options.fdThreshold);  // the sidecar is read once
      return r;
    }
    // The sidecar says "complete": it goes before the outputs are replaced, and comes back last.
    std::error_code ec;
    fs::remove(o.confoundsSidecar, ec);
    RunRequest request;
    request.spec = spec;
    request.backend = Backend::Threads;
    const JobResult result = mc::run(request, progress);
    p.motion = summarizeRunMotion(result.parameters, result.framewiseDisplacement, niftiRepetitionTime(run.input),
                                  options.fdThreshold);
    for (const std::string& w : result.written) p.outputs.push_back(fs::path(w).filename().string());
    writeTextAtomically(o.confoundsSidecar, formatConfoundsSidecar(p));
    r.status = RunStatus::Done;
    r.motion = p.motion;
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    r.status = RunStatus::Failed;
    r.reason = e.what();
  }
  r.seconds = secondsSince(t0);
  return r;
}

DatasetResult runDataset(const DatasetOptions& options, const DatasetCallback& progress) {
  options.validate();
  std::vector<BidsRun> runs = findBidsRuns(options.bidsRoot, options.selection);
  writeDatasetDescription(options.derivativesRoot, options.bidsRoot);
  sortLargestFirst(runs);

  DatasetQueueBook book(options, runs, progress);
  if (options.backend == Backend::Mpi) {
    runDatasetQueueWithMpi(options, runs, book);
  } else {
    for (const BidsRun& run : runs) {
      if (book.cancelled()) break;
      const ProgressCallback frames = [&](const ProgressEvent& e) { return book.frame(run, e); };
      try {
        book.finished(correctDatasetRun(run, options, frames));
      } catch (const Cancelled&) {
        break;  // the run in flight is lost; the book already knows it was asked to stop
      }
    }
  }
  return book.close();
}

}  // namespace mc
