// A BIDS dataset corrected in this process: the motion recovered per run, the derivatives written,
// a bad run reported alone, the summary table, resume, and a cancel.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "DatasetFixture.h"
#include "DatasetRun.h"
#include "DatasetSummaryTable.h"
#include "DerivativesLayout.h"
#include "ParameterFiles.h"
#include "RunProvenance.h"

namespace fs = std::filesystem;
using namespace mc;

namespace {

DatasetOptions optionsFor(const test::BidsFixture& f) {
  DatasetOptions o;
  o.bidsRoot = f.root;
  o.derivativesRoot = f.derivatives;
  o.job.threads = 2;
  o.report = false;
  return o;
}

const DatasetRunResult& row(const DatasetResult& r, const std::string& rel) {
  for (const auto& x : r.runs)
    if (x.run.relativePath == rel) return x;
  throw std::runtime_error(rel + ": not in the result");
}

// Largest error of the rp file against the truth: mm for translations, degrees for rotations.
std::pair<double, double> rpError(const std::string& rp, const std::vector<RigidParameters>& truth) {
  const auto p = parseRpFile(rp);
  EXPECT_EQ(p.size(), truth.size());
  double t = 0, r = 0;
  for (std::size_t j = 0; j < std::min(p.size(), truth.size()); ++j)
    for (int k = 0; k < 3; ++k) {
      t = std::max(t, std::abs(p[j][k] - truth[j][k]));
      r = std::max(r, std::abs(p[j][k + 3] - truth[j][k + 3]) * 180 / 3.14159265358979);
    }
  return {t, r};
}

fs::file_time_type mtime(const std::string& p) { return fs::last_write_time(p); }

}  // namespace

TEST(DatasetRun, EveryRunIsCorrectedIntoDerivativesAndABadRunFailsAlone) {
  test::BidsFixture f;
  const auto a = f.addRun("01", "", "rest", 1, 8, 1);
  const auto b = f.addRun("01", "", "rest", 2, 8, 2);
  const auto c = f.addRun("02", "pre", "rest", 1, 8, 3);
  const auto bad = f.addCorruptRun("03", "rest");
  int calls = 0, lastEnded = -1;
  const DatasetResult r = runDataset(optionsFor(f), [&](const DatasetProgress& p) {
    ++calls;
    EXPECT_EQ(p.total, 4);
    if (p.latest) {
      EXPECT_EQ(p.done + p.skipped + p.failed, lastEnded + 1);
      lastEnded = p.done + p.skipped + p.failed;
    } else if (!p.frame) {
      lastEnded = 0;  // started
    }
    return CallbackReturn::Continue;
  });
  EXPECT_GT(calls, 4);  // started, frames, four ends
  EXPECT_EQ(lastEnded, 4);
  ASSERT_EQ(r.runs.size(), 4u);
  EXPECT_EQ(r.count(RunStatus::Done), 3);
  EXPECT_EQ(r.count(RunStatus::Failed), 1);
  EXPECT_FALSE(r.cancelled);
  const DatasetRunResult& failed = row(r, bad);
  EXPECT_EQ(failed.status, RunStatus::Failed);
  EXPECT_NE(failed.reason.find(f.path(bad)), std::string::npos) << failed.reason;
  for (const auto& rel : {a, b, c}) {
    const DatasetRunResult& x = row(r, rel);
    ASSERT_EQ(x.status, RunStatus::Done) << x.reason;
    const RunOutputs o = runOutputs(x.run, f.derivatives, false);
    for (const auto& p : {o.realigned, o.mean, o.parameters, o.confounds, o.confoundsSidecar})
      EXPECT_TRUE(fs::is_regular_file(p)) << p;
    const auto [t, rot] = rpError(o.parameters, f.truth[rel]);
    // Motion of up to 1.5 mm and 1.5 degrees on the coarse 4x4x5 mm phantom.
    EXPECT_LT(t, 0.1) << rel;
    EXPECT_LT(rot, 0.25) << rel;
    EXPECT_EQ(x.motion.frames, 8);
    EXPECT_GT(x.motion.maxFd, 0.1);
    const RunProvenance p = readConfoundsSidecar(o.confoundsSidecar);
    EXPECT_EQ(p.source, rel);
    EXPECT_EQ(p.inputChecksum, fileChecksum(f.path(rel)));
    EXPECT_EQ(p.outputs.size(), 4u);
  }
  EXPECT_TRUE(fs::is_regular_file(f.derivatives + "/dataset_description.json"));
  // The summary table says the same as the result, row for row.
  const auto rows = readDatasetSummary(r.summaryPath);
  ASSERT_EQ(rows.size(), 4u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].run.relativePath, r.runs[i].run.relativePath);
    EXPECT_EQ(rows[i].status, r.runs[i].status);
    EXPECT_EQ(rows[i].reason, r.runs[i].reason);
    EXPECT_NEAR(rows[i].motion.maxFd, r.runs[i].motion.maxFd, 1e-4);
    EXPECT_EQ(rows[i].motion.framesOver, r.runs[i].motion.framesOver);
  }
}

TEST(DatasetRun, ResumeSkipsCompleteRunsAndRedoesChangedOnes) {
  test::BidsFixture f;
  const auto a = f.addRun("01", "", "rest", 1, 6, 1);
  const auto b = f.addRun("02", "", "rest", 1, 6, 2);
  DatasetOptions o = optionsFor(f);
  const DatasetResult first = runDataset(o);
  ASSERT_EQ(first.count(RunStatus::Done), 2);
  const RunOutputs oa = runOutputs(row(first, a).run, f.derivatives, false);
  const RunOutputs ob = runOutputs(row(first, b).run, f.derivatives, false);
  const auto realignedA = mtime(oa.realigned);

  const DatasetResult again = runDataset(o);
  EXPECT_EQ(again.count(RunStatus::Skipped), 2);
  EXPECT_EQ(mtime(oa.realigned), realignedA);  // not rewritten
  EXPECT_NEAR(row(again, a).motion.maxFd, row(first, a).motion.maxFd, 1e-9);

  // b's input changes (same size, other bytes): b is corrected again, a is still skipped.
  f.truth.erase(b);
  f.addRun("02", "", "rest", 1, 6, 5);
  const DatasetResult changed = runDataset(o);
  EXPECT_EQ(row(changed, a).status, RunStatus::Skipped);
  EXPECT_EQ(row(changed, b).status, RunStatus::Done);

  // Another parameter: every run again. Without resume: every run again.
  o.job.estimation.fwhm = 4;
  EXPECT_EQ(runDataset(o).count(RunStatus::Done), 2);
  o.resume = false;
  EXPECT_EQ(runDataset(o).count(RunStatus::Done), 2);
  o.resume = true;
  // A missing output or a damaged sidecar: that run again.
  fs::remove(ob.mean);
  std::ofstream(oa.confoundsSidecar) << "{ not json";
  const DatasetResult repaired = runDataset(o);
  EXPECT_EQ(row(repaired, a).status, RunStatus::Done);
  EXPECT_EQ(row(repaired, b).status, RunStatus::Done);
  EXPECT_TRUE(fs::is_regular_file(ob.mean));
  EXPECT_EQ(runDataset(o).count(RunStatus::Skipped), 2);
}

TEST(DatasetRun, CancelKeepsTheFinishedRunsAndCommitsNothingOfTheOneInFlight) {
  test::BidsFixture f;
  for (int s = 1; s <= 3; ++s) f.addRun("0" + std::to_string(s), "", "rest", 1, 6, s);
  int ended = 0;
  bool sawFrameAfterFirst = false;
  const DatasetResult r = runDataset(optionsFor(f), [&](const DatasetProgress& p) {
    if (p.latest) ++ended;
    if (p.frame && ended == 1) {
      sawFrameAfterFirst = true;
      return CallbackReturn::Abort;  // during the second run
    }
    return CallbackReturn::Continue;
  });
  EXPECT_TRUE(sawFrameAfterFirst);
  EXPECT_TRUE(r.cancelled);
  ASSERT_EQ(r.runs.size(), 1u);
  EXPECT_EQ(r.runs[0].status, RunStatus::Done);
  EXPECT_EQ(readDatasetSummary(r.summaryPath).size(), 1u);
  // Only the first run's files exist (each run's outputs are committed together or not at all).
  int sidecars = 0, realigned = 0;
  for (const auto& e : fs::recursive_directory_iterator(f.derivatives)) {
    const std::string n = e.path().filename().string();
    sidecars += n.find("_desc-confounds_timeseries.json") != std::string::npos;
    realigned += n.find("_desc-realigned_bold") != std::string::npos;
  }
  EXPECT_EQ(sidecars, 1);
  EXPECT_EQ(realigned, 1);
}

TEST(DatasetRun, BadOptionsAreOneLineErrorsBeforeAnyWork) {
  test::BidsFixture f;
  f.addRun("01", "", "rest", 1, 4, 1);
  DatasetOptions o = optionsFor(f);
  o.derivativesRoot = f.root;
  try {
    runDataset(o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), f.root + ": is the BIDS folder itself; outputs never go over the inputs");
  }
  o = optionsFor(f);
  o.fdThreshold = 0;
  EXPECT_THROW(runDataset(o), std::invalid_argument);
  o = optionsFor(f);
  o.selection.participants = {"09"};
  EXPECT_THROW(runDataset(o), std::invalid_argument);
  EXPECT_FALSE(fs::exists(f.derivatives));  // nothing written for a bad request
}
