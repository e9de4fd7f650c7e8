#include "JobParameters.h"

#include <fstream>

#include <gtest/gtest.h>

#include "TestSupport.h"

using namespace mc;

TEST(JobParameters, EveryNameRoundTrips) {
  JobSpec s;
  s.input = "in.nii.gz";
  s.realignedOutput = "out.nii.gz";
  s.estimation.quality = 0.75;
  s.estimation.fwhm = 6.5;
  s.estimation.wrap = {false, true, false};
  s.estimation.referenceFrame = 7;
  s.estimation.registerToMean = false;
  s.reslice.interpolation = 7;
  s.reslice.mask = false;
  s.keepDataType = true;
  s.threads = 3;
  JobSpec t;
  const auto params = jobParameters(s);
  ASSERT_EQ(params.size(), jobParameterNames().size());
  for (const auto& [k, v] : params) setJobParameter(t, k, v);
  EXPECT_EQ(jobParameters(t), params);
  EXPECT_EQ(t.estimation.referenceFrame, 7);
  EXPECT_FALSE(t.estimation.registerToMean);
  EXPECT_TRUE(t.estimation.wrap[1]);
}

TEST(JobParameters, BadValuesNameTheFlag) {
  JobSpec s;
  auto message = [&](const std::string& k, const std::string& v) {
    try {
      setJobParameter(s, k, v);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("fwhm", "-1").rfind("--fwhm:", 0), 0u);
  EXPECT_EQ(message("quality", "0").rfind("--quality:", 0), 0u);
  EXPECT_EQ(message("quality", "1.01").rfind("--quality:", 0), 0u);
  EXPECT_EQ(message("reference", "middle").rfind("--reference:", 0), 0u);
  EXPECT_EQ(message("interp", "2.5").rfind("--interp:", 0), 0u);
  EXPECT_EQ(message("sep", "abc").rfind("--sep:", 0), 0u);
  EXPECT_EQ(message("wrap", "1,0").rfind("--wrap:", 0), 0u);
  EXPECT_EQ(message("colour", "red"), "--colour: unknown parameter");
  // Found by the job-file fuzzer: a whole number past int's range was converted (undefined behaviour).
  EXPECT_EQ(message("threads", "2222222222222222222222222222222222222222222").rfind("--threads: expected a whole number below 1e9", 0), 0u);
  setJobParameter(s, "reference", "mean");
  EXPECT_TRUE(s.estimation.registerToMean);
}

TEST(JobParameters, JobFileRoundTrips) {
  test::ScratchDir dir;
  JobSpec s;
  s.input = "/data/run with space.nii.gz";
  s.parametersOutput = "/data/rp.txt";
  s.estimation.separation = 3;
  std::ofstream(dir.file("job.txt")) << formatJobFile(s);
  EXPECT_EQ(jobParameters(parseJobFile(dir.file("job.txt"))), jobParameters(s));
  std::ofstream(dir.file("bad.txt")) << "quality=2\n";
  try {
    parseJobFile(dir.file("bad.txt"));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.txt: line 1: --quality"), std::string::npos) << e.what();
  }
}
