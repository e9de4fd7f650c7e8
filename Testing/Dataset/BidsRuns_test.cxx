// Finding a BIDS dataset's runs: entities, the BIDS-app filters, what is not a run, the errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "BidsRuns.h"
#include "DatasetFixture.h"
#include "DerivativesLayout.h"

namespace fs = std::filesystem;
using namespace mc;

namespace {

void touch(const std::string& root, const std::string& rel, std::size_t bytes = 10) {
  fs::create_directories((fs::path(root) / rel).parent_path());
  std::ofstream(fs::path(root) / rel, std::ios::binary) << std::string(bytes, 'x');
}

}  // namespace

TEST(BidsRuns, FindsEveryBoldRunWithItsEntitiesAndNothingElse) {
  test::ScratchDir d;
  const std::string root = d.file("ds");
  touch(root, "sub-01/ses-pre/func/sub-01_ses-pre_task-rest_run-1_bold.nii.gz");
  touch(root, "sub-01/ses-pre/func/sub-01_ses-pre_task-rest_run-1_bold.json");  // sidecar: not a run
  touch(root, "sub-01/anat/sub-01_T1w.nii.gz");
  touch(root, "sub-02/func/sub-02_task-nback_bold.nii");
  touch(root, "sub-02/func/sub-02_task-nback_sbref.nii.gz");
  touch(root, "derivatives/old/sub-01/func/sub-01_task-rest_bold.nii.gz");  // another pipeline's
  touch(root, "sourcedata/sub-01/func/sub-01_task-rest_bold.nii.gz");
  touch(root, ".git/sub-01/func/sub-01_task-rest_bold.nii.gz");
  const auto runs = findBidsRuns(root);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].relativePath, "sub-01/ses-pre/func/sub-01_ses-pre_task-rest_run-1_bold.nii.gz");
  EXPECT_EQ(runs[0].subject, "01");
  EXPECT_EQ(runs[0].session, "pre");
  EXPECT_EQ(runs[0].task, "rest");
  EXPECT_EQ(runs[0].run, "1");
  EXPECT_EQ(runs[0].stem, "sub-01_ses-pre_task-rest_run-1");
  EXPECT_EQ(runs[0].extension, ".nii.gz");
  EXPECT_EQ(runs[1].relativePath, "sub-02/func/sub-02_task-nback_bold.nii");
  EXPECT_EQ(runs[1].session, "");
  EXPECT_EQ(runs[1].extension, ".nii");
  EXPECT_EQ(runs[1].bytes, 10u);
}

TEST(BidsRuns, ParticipantAndTaskFiltersTakeLabelsWithOrWithoutTheirKey) {
  test::ScratchDir d;
  const std::string root = d.file("ds");
  for (const char* s : {"01", "02", "03"})
    for (const char* t : {"rest", "motor"})
      touch(root, std::string("sub-") + s + "/func/sub-" + s + "_task-" + t + "_bold.nii.gz");
  EXPECT_EQ(findBidsRuns(root).size(), 6u);
  const auto two = findBidsRuns(root, {{"01", "sub-03"}, {}});
  ASSERT_EQ(two.size(), 4u);
  for (const auto& r : two) EXPECT_NE(r.subject, "02");
  const auto motor = findBidsRuns(root, {{"sub-02"}, {"task-motor"}});
  ASSERT_EQ(motor.size(), 1u);
  EXPECT_EQ(motor[0].relativePath, "sub-02/func/sub-02_task-motor_bold.nii.gz");
}

TEST(BidsRuns, ErrorsNameTheFolderAndWhatIsMissing) {
  test::ScratchDir d;
  const std::string root = d.file("ds");
  try {
    findBidsRuns(root);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), root + ": not a folder (the BIDS dataset)");
  }
  fs::create_directories(root);
  EXPECT_THROW(findBidsRuns(root), std::invalid_argument);  // no run
  touch(root, "sub-01/func/sub-01_task-rest_bold.nii.gz");
  try {
    findBidsRuns(root, {{"07"}, {}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "--participant-label 07: no such participant in " + root + " (it has 01)");
  }
  try {
    findBidsRuns(root, {{}, {"motor"}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "--task motor: no such task in " + root + " (it has rest)");
  }
  EXPECT_THROW(bidsRunAt(root, "sub-01/func/notbids.nii.gz"), std::invalid_argument);
}

TEST(BidsRuns, LargestFirstThenByPath) {
  test::ScratchDir d;
  const std::string root = d.file("ds");
  touch(root, "sub-01/func/sub-01_task-a_bold.nii.gz", 5);
  touch(root, "sub-02/func/sub-02_task-a_bold.nii.gz", 50);
  touch(root, "sub-03/func/sub-03_task-a_bold.nii.gz", 5);
  auto runs = findBidsRuns(root);
  sortLargestFirst(runs);
  EXPECT_EQ(runs[0].subject, "02");
  EXPECT_EQ(runs[1].subject, "01");
  EXPECT_EQ(runs[2].subject, "03");
}

TEST(DerivativesLayout, OutputsAtTheRunsPlaceWithDerivativesNames) {
  test::ScratchDir d;
  const BidsRun run = bidsRunAt(d.file("raw"), "sub-01/ses-a/func/sub-01_ses-a_task-rest_bold.nii.gz");
  const RunOutputs o = runOutputs(run, d.file("out"), false);
  const std::string f = d.file("out") + "/sub-01/ses-a/func/";
  EXPECT_EQ(o.realigned, f + "sub-01_ses-a_task-rest_desc-realigned_bold.nii.gz");
  EXPECT_EQ(o.mean, f + "sub-01_ses-a_task-rest_desc-mean_boldref.nii.gz");
  EXPECT_EQ(o.parameters, f + "rp_sub-01_ses-a_task-rest_bold.txt");
  EXPECT_EQ(o.confounds, f + "sub-01_ses-a_task-rest_desc-confounds_timeseries.tsv");
  EXPECT_EQ(o.confoundsSidecar, f + "sub-01_ses-a_task-rest_desc-confounds_timeseries.json");
  EXPECT_TRUE(runOutputs(run, d.file("out"), true).realigned.empty());
}

TEST(DerivativesLayout, DatasetDescriptionIsWrittenOnceAndAnotherPipelinesFolderIsRefused) {
  test::ScratchDir d;
  const std::string out = d.file("out");
  writeDatasetDescription(out, d.file("raw"));
  std::ifstream in(out + "/dataset_description.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"DatasetType\": \"derivative\""), std::string::npos);
  EXPECT_NE(text.find("\"Name\": \"SlicerMotionCorrection\""), std::string::npos);
  EXPECT_NE(text.find("\"Version\": \"" MC_VERSION "\""), std::string::npos);
  EXPECT_NO_THROW(writeDatasetDescription(out, d.file("raw")));  // ours: kept
  const std::string other = d.file("fmriprep");
  fs::create_directories(other);
  std::ofstream(other + "/dataset_description.json") << R"({"Name":"x","GeneratedBy":[{"Name":"fMRIPrep"}]})";
  try {
    writeDatasetDescription(other, d.file("raw"));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(other + "/dataset_description.json: belongs to another pipeline"),
              std::string::npos);
  }
}
