#include "ProgressJson.h"

#include <cmath>
#include <cstring>
#include <limits>

#include <gtest/gtest.h>

using namespace mc;

TEST(ProgressJson, FrameMessageRoundTripsExactly) {
  FrameMotion shown;
  shown.parameters = RigidParameters{{0.1, -2.5e-7, 3.0 / 7.0, 1e-12, -0.0125, 0.3333333333333333}};
  const ProgressMessage m = ProgressMessage::frameDone(Stage::Pass2, 7, 2, &shown);
  const std::string line = formatProgressMessage(m);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto back = parseProgressMessage(line);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->kind, ProgressMessage::Kind::Frame);
  EXPECT_EQ(back->stage, Stage::Pass2);
  EXPECT_EQ(back->frame, 7);
  EXPECT_EQ(back->rank, 2);
  ASSERT_TRUE(back->hasParameters);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(back->parameters[i], shown.parameters[i]);  // %.17g: exact
}

TEST(ProgressJson, ExtremeDoublesRoundTripBitForBitAndNonFiniteAsNull) {
  using L = std::numeric_limits<double>;
  const RigidParameters hard{{L::max(), L::min(), L::denorm_min(), -0.0, 0.1 + 0.2, -1.0 / 3.0}};
  const auto back = parseProgressMessage(formatProgressMessage(ProgressMessage::result(3, hard, 1e-300)));
  ASSERT_TRUE(back);
  for (int i = 0; i < 6; ++i) {
    const double got = back->parameters[i], sent = hard[i];
    EXPECT_EQ(std::memcmp(&got, &sent, sizeof(double)), 0) << i << ": " << got;  // -0.0 keeps its sign
  }
  EXPECT_EQ(back->framewiseDisplacement, 1e-300);

  const RigidParameters odd{{L::quiet_NaN(), L::infinity(), 1, 2, 3, 4}};
  const std::string line = formatProgressMessage(ProgressMessage::result(0, odd, L::quiet_NaN()));
  EXPECT_EQ(line, "{\"event\":\"result\",\"frame\":0,\"parameters\":[null,null,1.0,2.0,3.0,4.0],\"fd\":null}");
  const auto nan = parseProgressMessage(line);
  ASSERT_TRUE(nan);
  EXPECT_TRUE(std::isnan(nan->parameters[0]) && std::isnan(nan->parameters[1]) && std::isnan(nan->framewiseDisplacement));
  EXPECT_EQ(nan->parameters[2], 1.0);
}

TEST(ProgressJson, FieldsStayInTheDocumentedOrder) {
  EXPECT_EQ(formatProgressMessage(ProgressMessage::started(11, 3)), "{\"event\":\"started\",\"frames\":11,\"ranks\":3}");
  EXPECT_EQ(formatProgressMessage(ProgressMessage::frameDone(Stage::Reslice, 4, 1)),
            "{\"event\":\"frame\",\"stage\":\"reslice\",\"frame\":4,\"rank\":1}");
  ProgressMessage done;
  done.kind = ProgressMessage::Kind::Finished;
  done.written = {"/out/rp.txt"};
  done.timings = {{"read", 0.5}, {"estimate", 2.25}};
  EXPECT_EQ(formatProgressMessage(done),
            "{\"event\":\"finished\",\"written\":[\"/out/rp.txt\"],\"timings\":{\"read\":0.5,\"estimate\":2.25}}");
  const auto fin = parseProgressMessage(formatProgressMessage(done));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->timings, done.timings);  // in the order sent
}

TEST(ProgressJson, OtherMessagesRoundTrip) {
  const auto started = parseProgressMessage(formatProgressMessage(ProgressMessage::started(11, 3)));
  ASSERT_TRUE(started);
  EXPECT_EQ(started->frames, 11);
  EXPECT_EQ(started->ranks, 3);

  const auto reslice = parseProgressMessage(formatProgressMessage(ProgressMessage::frameDone(Stage::Reslice, 4, 1)));
  ASSERT_TRUE(reslice);
  EXPECT_EQ(reslice->stage, Stage::Reslice);
  EXPECT_FALSE(reslice->hasParameters);

  const auto warning = parseProgressMessage(
      formatProgressMessage(ProgressMessage::warning("frame 3: \"odd\"\tvoxels\\ here\nsecond line")));
  ASSERT_TRUE(warning);
  EXPECT_EQ(warning->text, "frame 3: \"odd\"\tvoxels\\ here\nsecond line");

  ProgressMessage done;
  done.kind = ProgressMessage::Kind::Finished;
  done.written = {"/out/rp_run.txt", "/out/r run.nii.gz"};
  done.timings = {{"estimate", 1.25}, {"reslice", 0.5}};
  const auto fin = parseProgressMessage(formatProgressMessage(done));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->written, done.written);
  ASSERT_EQ(fin->timings.size(), 2u);

  const auto result = parseProgressMessage(formatProgressMessage(ProgressMessage::result(5, RigidParameters{{1, 2, 3, 4, 5, 6}}, 0.75)));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->kind, ProgressMessage::Kind::Result);
  EXPECT_EQ(result->parameters[5], 6.0);
  EXPECT_EQ(result->framewiseDisplacement, 0.75);
}

TEST(ProgressJson, IgnoresLinesThatAreNotMessages) {
  for (const char* line : {"", "plain text from mpirun", "{", "{\"event\":\"frame\"}", "{\"event\":\"bogus\"}",
                           "[1,2,3]", "{\"event\":\"frame\",\"stage\":\"pass 9\",\"frame\":1}",
                           "{\"event\":\"started\",\"frames\":3} trailing"})
    EXPECT_FALSE(parseProgressMessage(line)) << line;
}

TEST(ProgressJson, MergerRisesMonotonicallyToOneWhateverTheOrder) {
  ProgressPlan plan;
  const int n = 5;
  ProgressMerger merger(n, plan);
  // Ranks finish stages at different times: mean messages of one rank before pass 1 of another.
  const Stage order[] = {Stage::Pass1, Stage::Pass1, Stage::Mean, Stage::Pass1, Stage::Mean, Stage::Pass1,
                         Stage::Pass1, Stage::Mean, Stage::Mean, Stage::Mean, Stage::Pass2, Stage::Pass2,
                         Stage::Reslice, Stage::Pass2, Stage::Pass2, Stage::Pass2, Stage::Reslice,
                         Stage::Reslice, Stage::Reslice, Stage::Reslice};
  double last = 0;
  int frame = 0;
  for (Stage s : order) {
    FrameMotion shown;
    const ProgressEvent e = merger.add(ProgressMessage::frameDone(s, frame++ % n, 0), shown);
    EXPECT_GT(e.fraction, last);
    last = e.fraction;
  }
  EXPECT_DOUBLE_EQ(last, 1.0);
}

TEST(ProgressJson, MergerCarriesParametersAsMotion) {
  ProgressMerger merger(3, ProgressPlan{});
  FrameMotion shown;
  FrameMotion m;
  m.parameters = RigidParameters{{1, 0, 0, 0, 0, 0.01}};
  const ProgressEvent e = merger.add(ProgressMessage::frameDone(Stage::Pass1, 2, 1, &m), shown);
  ASSERT_EQ(e.motion, &shown);
  EXPECT_EQ(e.frame, 2);
  EXPECT_EQ(e.completed, 1);
  EXPECT_EQ(e.total, 3);
  EXPECT_NEAR(spmImatrix(shown.transform)[5], 0.01, 1e-12);
}
