// A dataset under a real mpirun: the ranks take runs from one queue, every rank works, the motion
// equals the in-process run's, a bad run fails alone, and a second pass resumes (skips them all).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "DatasetFixture.h"
#include "DatasetRun.h"
#include "DatasetWorker.h"
#include "DerivativesLayout.h"
#include "ParameterFiles.h"

namespace fs = std::filesystem;
using namespace mc;

TEST(DatasetMpi, RanksTakeRunsFromOneQueueAndAgreeWithTheInProcessRun) {
  test::BidsFixture f;
  std::vector<std::string> runs;
  for (int s = 1; s <= 4; ++s) runs.push_back(f.addRun("0" + std::to_string(s), "", "rest", 1, 6, s));
  const std::string bad = f.addCorruptRun("05", "rest");
  DatasetOptions o;
  o.bidsRoot = f.root;
  o.derivativesRoot = f.derivatives;
  o.report = false;
  o.backend = Backend::Mpi;
  o.mpi.ranks = 2;
  o.mpi.threadsPerRank = 1;
  int ended = 0;
  const DatasetResult r = runDataset(o, [&](const DatasetProgress& p) {
    if (p.latest) {
      ++ended;
      EXPECT_EQ(p.done + p.failed, ended);
    }
    return CallbackReturn::Continue;
  });
  ASSERT_EQ(r.runs.size(), 5u);
  EXPECT_EQ(ended, 5);
  EXPECT_EQ(r.count(RunStatus::Done), 4);
  std::set<int> ranks;
  for (const auto& x : r.runs) {
    ranks.insert(x.rank);
    if (x.run.relativePath == bad) {
      EXPECT_EQ(x.status, RunStatus::Failed);
      EXPECT_NE(x.reason.find("sub-05_task-rest_bold.nii.gz"), std::string::npos) << x.reason;
    }
  }
  EXPECT_EQ(ranks, (std::set<int>{0, 1}));

  // The same runs in this process, into another folder: the same parameters.
  DatasetOptions local = o;
  local.backend = Backend::Threads;
  local.derivativesRoot = f.dir.file("local");
  local.job.threads = 1;
  const DatasetResult l = runDataset(local);
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    if (r.runs[i].status != RunStatus::Done) continue;
    const auto a = parseRpFile(runOutputs(r.runs[i].run, f.derivatives, false).parameters);
    const auto b = parseRpFile(runOutputs(l.runs[i].run, local.derivativesRoot, false).parameters);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t j = 0; j < a.size(); ++j)
      for (int k = 0; k < 6; ++k) EXPECT_NEAR(a[j][k], b[j][k], 1e-6);
  }

  const DatasetResult again = runDataset(o);
  EXPECT_EQ(again.count(RunStatus::Skipped), 4);
  EXPECT_EQ(again.count(RunStatus::Failed), 1);
}

TEST(DatasetMpi, TheJobFileCarriesTheQueueOrderAndTheTemplate) {
  test::BidsFixture f;
  f.addRun("01", "", "rest", 1, 4, 1);
  f.addRun("02", "", "rest", 1, 4, 2);
  DatasetOptions o;
  o.bidsRoot = f.root;
  o.derivativesRoot = f.derivatives;
  o.fdThreshold = 0.3;
  o.resume = false;
  o.job.estimation.quality = 0.7;
  auto runs = findBidsRuns(f.root);
  std::swap(runs[0], runs[1]);
  const DatasetJob job = parseDatasetJob(formatDatasetJob(o, runs), "job");
  ASSERT_EQ(job.runs.size(), 2u);
  EXPECT_EQ(job.runs[0].relativePath, runs[0].relativePath);
  EXPECT_EQ(job.runs[1].relativePath, runs[1].relativePath);
  EXPECT_EQ(job.options.fdThreshold, 0.3);
  EXPECT_FALSE(job.options.resume);
  EXPECT_EQ(job.options.job.estimation.quality, 0.7);
  EXPECT_EQ(job.options.bidsRoot, fs::absolute(f.root).lexically_normal().string());
  try {
    parseDatasetJob("dataset-bids=/x\ndataset-derivatives=/y\nquality=7\n", "job.txt");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("job.txt: line 3:"), std::string::npos) << e.what();
  }
}
