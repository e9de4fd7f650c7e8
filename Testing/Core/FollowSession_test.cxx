// Follow mode on real files: volumes written into a folder while followFolder watches it, by a
// writer thread, as a scanner's export does (renamed into place, or written in place slowly).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "FollowSession.h"
#include "FrameAligner.h"
#include "ImageIO.h"
#include "ParameterFiles.h"
#include "Realigner.h"
#include "Reslicer.h"
#include "TestSupport.h"
#include "VolumeArrivals.h"

using namespace mc;

namespace {

std::vector<RigidParameters> sixFrameMotion() {
  std::vector<RigidParameters> m(6, RigidParameters{});
  const double t[6][6] = {{0, 0, 0, 0, 0, 0},         {0.5, -0.3, 0.2, 0.01, 0, 0},  {1.2, 0.4, -0.6, 0, 0.02, -0.01},
                          {-0.8, 1, 0.3, -0.02, 0.01, 0.02}, {0.2, -1.4, 1, 0.03, -0.02, 0}, {1.5, 0.5, -1, 0, 0.03, 0.02}};
  for (int j = 0; j < 6; ++j)
    for (int i = 0; i < 6; ++i) m[j][i] = t[j][i];
  return m;
}

EstimationOptions firstPassOnly() {
  EstimationOptions o;
  o.registerToMean = false;
  return o;
}

std::string volumeName(int j) {
  char s[32];
  std::snprintf(s, sizeof s, "vol%04d.nii", j);
  return s;
}

// The bytes writeVolume gives a frame, for writing them in pieces.
std::string volumeBytes(const test::ScratchDir& dir, const VolumeSeries& run, int j) {
  const std::string p = dir.file("bytes-" + std::to_string(j) + ".nii");
  writeVolume(p, run.extractFrame(j));
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::filesystem::remove(p);
  return s.str();
}

double maxParameterDifference(const RigidParameters& a, const RigidParameters& b) {
  double d = 0;
  for (int i = 0; i < 6; ++i) d = std::max(d, std::fabs(a[i] - b[i]) * (i < 3 ? 1.0 : 100.0));
  return d;  // mm, rotations as the motion of a point 100 mm away
}

FollowOptions followOptions(const std::string& folder) {
  FollowOptions o;
  o.folder = folder;
  o.estimation = firstPassOnly();
  o.timeoutSeconds = 30;  // a guard: the tests end on a frame count or the end marker
  o.pollSeconds = 0.002;
  return o;
}

}  // namespace

TEST(FrameAligner, FramesOneAtATimeGiveTheOfflineFirstPassBitForBit) {
  const SyntheticRun s = test::smallPhantomRun(sixFrameMotion(), 0.02);
  OpenMPFrameExecutor ex(2);
  const MotionEstimate offline = Realigner(firstPassOnly()).estimate(s.run, ex);
  FrameAligner aligner(s.run.extractFrame(0), firstPassOnly());
  for (int j = 1; j < s.run.frameCount; ++j) {
    const FrameMotion m = aligner.align(s.run.frame(j), j);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(m.parameters[i], offline.frames[j].parameters[i]) << "frame " << j;
  }
}

TEST(VolumeArrivals, WholeFilesInNameOrderWithGapsAndLateArrivalsReported) {
  test::ScratchDir dir;
  const SyntheticRun s = test::smallPhantomRun(sixFrameMotion(), 0.0);
  VolumeArrivals arrivals(dir.file(""), "END");
  writeVolume(dir.file(volumeName(2)), s.run.extractFrame(2));
  writeVolume(dir.file(volumeName(0)), s.run.extractFrame(0));
  std::ofstream(dir.file(".vol0003.nii.part")) << "half";  // a writer's staging name: never taken
  std::vector<std::string> got = arrivals.poll();  // whole .nii files are taken at the first look
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], dir.file(volumeName(0)));
  EXPECT_EQ(got[1], dir.file(volumeName(2)));
  std::vector<std::string> notes = arrivals.takeNotices();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("vol0002.nii: gap in the volume numbers, 1 missing after vol0000.nii"), std::string::npos)
      << notes[0];
  writeVolume(dir.file(volumeName(1)), s.run.extractFrame(1));
  got = arrivals.poll();
  ASSERT_EQ(got.size(), 1u);
  notes = arrivals.takeNotices();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("vol0001.nii: arrived after vol0002.nii (out of name order)"), std::string::npos) << notes[0];
  EXPECT_TRUE(arrivals.poll().empty());  // nothing twice
  EXPECT_FALSE(arrivals.ended());
  std::ofstream(dir.file("END")).put('\n');
  arrivals.poll();
  EXPECT_TRUE(arrivals.ended());
}

TEST(VolumeArrivals, AHalfWrittenFileWaitsUntilItIsWhole) {
  test::ScratchDir dir;
  const SyntheticRun s = test::smallPhantomRun(sixFrameMotion(), 0.0);
  const std::string bytes = volumeBytes(dir, s.run, 1);
  VolumeArrivals arrivals(dir.file(""));
  {
    std::ofstream out(dir.file("vol0001.nii"), std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size() / 2));
  }
  EXPECT_TRUE(arrivals.poll().empty());  // the header promises more bytes than the file has
  // Unchanged over two looks, it is handed out (a writer may have paused): it does not read, and
  // is handed out again only once it has changed.
  std::vector<std::string> got = arrivals.poll();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_THROW(readVolume(got[0]), std::exception);
  arrivals.retryLater(got[0]);
  EXPECT_TRUE(arrivals.poll().empty());
  EXPECT_TRUE(arrivals.poll().empty());
  EXPECT_EQ(arrivals.unsettled(), std::vector<std::string>{dir.file("vol0001.nii")});
  {
    std::ofstream out(dir.file("vol0001.nii"), std::ios::binary | std::ios::app);
    out.write(bytes.data() + bytes.size() / 2, std::streamsize(bytes.size() - bytes.size() / 2));
  }
  got = arrivals.poll();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(readVolume(got[0]).voxels, s.run.extractFrame(1).voxels);
  EXPECT_TRUE(arrivals.unsettled().empty());
}

TEST(FollowSession, ReplayOfARealRunMatchesTheOfflineRunAndWritesRowsAsItGoes) {
  VolumeSeries real = readVolumeSeries(test::dataFile("pydecnef_sub-1_run-1_bold_vols000-149.nii.gz"));
  const int frames = 12;
  real.voxels.resize(real.frameSize() * frames);
  real.frameCount = frames;
  OpenMPFrameExecutor ex(2);
  const MotionEstimate offline = Realigner(firstPassOnly()).estimate(real, ex);

  test::ScratchDir dir, out;
  FollowOptions o = followOptions(dir.file(""));
  o.frames = frames;
  o.repetitionTime = 2.0;
  o.params = out.file("rp.txt");
  o.confounds = out.file("confounds.tsv");
  std::thread writer([&] {  // TR 20 ms, each volume renamed into place (writeVolume)
    for (int j = 0; j < frames; ++j) {
      writeVolume(dir.file(volumeName(j)), real.extractFrame(j));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::vector<std::size_t> rpRowsSeen;
  FollowCallbacks cb;
  cb.onVolume = [&](const FollowVolume& v) {
    rpRowsSeen.push_back(parseRpFile(o.params).size());  // flushed before the callback
    return CallbackReturn::Continue;
  };
  const FollowResult r = followFolder(o, cb);
  writer.join();
  EXPECT_EQ(r.end, FollowEnd::FrameCount);
  ASSERT_EQ(r.volumes.size(), std::size_t(frames));
  EXPECT_EQ(r.skipped, 0);
  for (int j = 0; j < frames; ++j) {
    EXPECT_EQ(rpRowsSeen[j], std::size_t(j + 1));
    EXPECT_LT(maxParameterDifference(r.volumes[j].motion.parameters, offline.frames[j].parameters), 0.01) << j;
  }
  const std::vector<RigidParameters> rp = parseRpFile(o.params);
  ASSERT_EQ(rp.size(), std::size_t(frames));
  std::vector<RigidParameters> found;
  std::vector<double> fd;
  for (const FollowVolume& v : r.volumes) found.push_back(v.motion.parameters), fd.push_back(v.fd);
  EXPECT_EQ(fd, framewiseDisplacement(found));
  std::ifstream tsv(o.confounds);
  std::stringstream text;
  text << tsv.rdbuf();
  EXPECT_EQ(text.str(), formatConfoundsTsv(found, fd));  // the offline file's text, row by row
  // The summary: FD counts and usable minutes from the same FD.
  const FollowSummary& sum = r.volumes.back().summary;
  int under03 = 0, under05 = 0;
  for (double d : fd) under03 += d < 0.3, under05 += d < 0.5;
  EXPECT_EQ(sum.volumes, frames);
  EXPECT_EQ(sum.under[1], under03);
  EXPECT_EQ(sum.usable, under05);
  EXPECT_DOUBLE_EQ(sum.usableMinutes, under05 * 2.0 / 60.0);
}

TEST(FollowSession, CorruptAndOtherGridVolumesAreReportedAndSkippedAndTheRunGoesOn) {
  const SyntheticRun s = test::smallPhantomRun(sixFrameMotion(), 0.02);
  test::ScratchDir dir, scratch;
  FollowOptions o = followOptions(dir.file(""));
  std::thread writer([&] {
    for (int j = 0; j < 6; ++j) {
      if (j == 2) {  // a volume whose voxels stop short, and that never gets the rest
        const std::string bytes = volumeBytes(scratch, s.run, j);
        std::ofstream(dir.file(volumeName(j)), std::ios::binary).write(bytes.data(), 600);
      } else if (j == 4) {  // a volume of another grid
        Volume other{s.run.geometry, {}};
        other.geometry.size = {20, 20, 12};
        other.voxels.assign(other.geometry.voxelCount(), 1.0f);
        writeVolume(dir.file(volumeName(j)), other);
      } else {
        writeVolume(dir.file(volumeName(j)), s.run.extractFrame(j));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
    std::ofstream(dir.file("END")).put('\n');
  });
  const FollowResult r = followFolder(o);
  writer.join();
  EXPECT_EQ(r.end, FollowEnd::EndMarker);
  ASSERT_EQ(r.volumes.size(), 4u);
  EXPECT_EQ(r.skipped, 2);
  const char* expected[] = {"vol0000.nii", "vol0001.nii", "vol0003.nii", "vol0005.nii"};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(std::filesystem::path(r.volumes[i].path).filename(), expected[i]);
  bool corrupt = false, grid = false;
  for (const std::string& n : r.notices) {
    corrupt = corrupt || (n.find("vol0002.nii") != std::string::npos && n.find("skipped") != std::string::npos);
    grid = grid || n.find("vol0004.nii: another grid (20x20x12 voxels") != std::string::npos;
  }
  EXPECT_TRUE(corrupt) << ::testing::PrintToString(r.notices);
  EXPECT_TRUE(grid) << ::testing::PrintToString(r.notices);
  // The volumes that did arrive are aligned as offline.
  OpenMPFrameExecutor ex(2);
  const MotionEstimate offline = Realigner(firstPassOnly()).estimate(s.run, ex);
  const int frameOf[] = {0, 1, 3, 5};
  for (int i = 0; i < 4; ++i)
    EXPECT_LT(maxParameterDifference(r.volumes[i].motion.parameters, offline.frames[frameOf[i]].parameters), 0.01);
}

TEST(FollowSession, AVolumeWrittenInPlaceSlowlyIsReadOnceWhole) {
  const SyntheticRun s = test::smallPhantomRun(sixFrameMotion(), 0.02);
  test::ScratchDir dir, scratch;
  FollowOptions o = followOptions(dir.file(""));
  o.frames = 3;
  o.reference = scratch.file("reference.nii");
  writeVolume(o.reference, s.run.extractFrame(0));
  std::thread writer([&] {
    for (int j = 1; j <= 3; ++j) {
      const std::string bytes = volumeBytes(scratch, s.run, j);
      std::ofstream f(dir.file(volumeName(j)), std::ios::binary);
      for (std::size_t at = 0; at < bytes.size(); at += bytes.size() / 4 + 1) {  // four pieces, 10 ms apart
        f.write(bytes.data() + at, std::streamsize(std::min(bytes.size() - at, bytes.size() / 4 + 1)));
        f.flush();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  });
  const FollowResult r = followFolder(o);
  writer.join();
  ASSERT_EQ(r.volumes.size(), 3u);
  EXPECT_EQ(r.skipped, 0);
  FrameAligner aligner(s.run.extractFrame(0), firstPassOnly());
  for (int j = 1; j <= 3; ++j)
    EXPECT_EQ(maxParameterDifference(r.volumes[j - 1].motion.parameters, aligner.align(s.run.frame(j), j).parameters), 0.0) << j;
}

TEST(FollowSession, EndsOnCancelWhileWaitingAndOnTheTimeOut) {
  test::ScratchDir dir;
  FollowOptions o = followOptions(dir.file(""));
  std::atomic<int> looks{0};
  FollowCallbacks cb;
  cb.onWait = [&] { return ++looks >= 5 ? CallbackReturn::Abort : CallbackReturn::Continue; };
  const FollowResult cancelled = followFolder(o, cb);
  EXPECT_EQ(cancelled.end, FollowEnd::Cancelled);
  EXPECT_EQ(looks.load(), 5);
  EXPECT_TRUE(cancelled.volumes.empty());

  o.timeoutSeconds = 0.05;
  const FollowResult timedOut = followFolder(o);
  EXPECT_EQ(timedOut.end, FollowEnd::Timeout);
}

TEST(FollowSession, BadOptionsAreRefusedNamingTheProblem) {
  test::ScratchDir dir;
  FollowOptions o = followOptions(dir.file("missing"));
  try {
    followFolder(o);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("missing: not a folder"), std::string::npos) << e.what();
  }
  o.folder = dir.file("");
  o.realignedFolder = dir.file("");
  EXPECT_THROW(followFolder(o), std::invalid_argument);
}

TEST(FollowSession, RealignedVolumesAreTheOfflineRunsFramesResliced) {
  const SyntheticRun s = test::smallPhantomRun(sixFrameMotion(), 0.02);
  test::ScratchDir dir, out;
  FollowOptions o = followOptions(dir.file(""));
  o.frames = s.run.frameCount;
  o.realignedFolder = out.file("");
  for (int j = 0; j < s.run.frameCount; ++j) writeVolume(dir.file(volumeName(j)), s.run.extractFrame(j));
  const FollowResult r = followFolder(o);
  ASSERT_EQ(r.volumes.size(), std::size_t(s.run.frameCount));

  OpenMPFrameExecutor ex(2);
  const MotionEstimate offline = Realigner(firstPassOnly()).estimate(s.run, ex);
  std::vector<Matrix4> motions;
  for (const FrameMotion& m : offline.frames) motions.push_back(m.transform);
  ResliceOptions unmasked = o.reslice;
  unmasked.mask = false;  // follow mode cannot know which voxels later frames will see
  const ResliceResult expected = resliceRun(s.run, motions, unmasked, ex);
  for (int j = 0; j < s.run.frameCount; ++j) {
    const Volume got = readVolume(out.file("r" + volumeName(j)));
    const Volume want = expected.realigned.extractFrame(j);
    ASSERT_EQ(got.voxels.size(), want.voxels.size());
    EXPECT_EQ(got.voxels, want.voxels) << "frame " << j;
    EXPECT_TRUE(got.geometry.sameGridAs(s.run.geometry)) << "frame " << j;
  }
}

// DICOM, one file per volume (what many scanners' real-time exports write): written by
// writeDicomVolume (int16, as the scanner's), read back through ITK's GDCM on the same grid, and
// followed as the NIfTI volumes are, giving the same motion as the offline run of those voxels.
TEST(FollowSession, DicomVolumesOneFilePerVolumeAreFollowedAsNifti) {
  VolumeSeries real = readVolumeSeries(test::dataFile("pydecnef_sub-1_run-1_bold_vols000-149.nii.gz"));
  const int frames = 6;
  real.voxels.resize(real.frameSize() * frames);
  real.frameCount = frames;
  for (float& v : real.voxels) v = std::round(std::clamp(v, -32768.0f, 32767.0f));  // int16, as stored in DICOM

  // Read back: every voxel at the same world position (the slices may be stored reversed).
  test::ScratchDir one;
  writeDicomVolume(one.file("v.dcm"), real.extractFrame(1));
  const Volume back = readVolume(one.file("v.dcm"));
  const Volume frame1 = real.extractFrame(1);
  ASSERT_EQ(back.geometry.size, real.geometry.size);
  const int nx = real.geometry.size[0], ny = real.geometry.size[1], nz = real.geometry.size[2];
  double worstMm = 0;
  float worstValue = 0;
  for (int k = 0; k < nz; ++k) {
    const Matrix4& a = back.geometry.voxelToWorld;
    const Matrix4& b = real.geometry.voxelToWorld;
    const int kk = a(2, 2) * b(2, 2) < 0 ? nz - 1 - k : k;  // reversed slices
    for (int r = 0; r < 3; ++r)
      worstMm = std::max(worstMm, std::fabs(a(r, 2) * k + a(r, 3) - (b(r, 2) * kk + b(r, 3))));
    for (int i = 0; i < nx * ny; ++i)
      worstValue = std::max(worstValue, std::fabs(back.voxels[std::size_t(k) * nx * ny + i] -
                                                  frame1.voxels[std::size_t(kk) * nx * ny + i]));
  }
  EXPECT_LT(worstMm, 1e-3) << "slice positions differ";
  EXPECT_EQ(worstValue, 0.0f);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 2; ++c) EXPECT_NEAR(back.geometry.voxelToWorld(r, c), real.geometry.voxelToWorld(r, c), 1e-4);

  // Followed: the same motion as the offline run of the volumes as read from DICOM.
  VolumeSeries asRead;
  asRead.allocate(back.geometry, frames);
  for (int j = 0; j < frames; ++j) {
    writeDicomVolume(one.file("f.dcm"), real.extractFrame(j));
    const Volume f = readVolume(one.file("f.dcm"));
    std::copy(f.voxels.begin(), f.voxels.end(), asRead.voxels.begin() + std::ptrdiff_t(j * asRead.frameSize()));
  }
  OpenMPFrameExecutor ex(2);
  const MotionEstimate offline = Realigner(firstPassOnly()).estimate(asRead, ex);
  test::ScratchDir dir;
  FollowOptions o = followOptions(dir.file(""));
  o.frames = frames;
  std::thread writer([&] {
    for (int j = 0; j < frames; ++j) {
      char name[32];
      std::snprintf(name, sizeof name, "IM%04d.dcm", j);
      writeDicomVolume(dir.file(name), real.extractFrame(j));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const FollowResult r = followFolder(o);
  writer.join();
  EXPECT_EQ(r.end, FollowEnd::FrameCount);
  EXPECT_EQ(r.skipped, 0);
  ASSERT_EQ(r.volumes.size(), std::size_t(frames));
  for (int j = 0; j < frames; ++j)
    EXPECT_LT(maxParameterDifference(r.volumes[j].motion.parameters, offline.frames[j].parameters), 0.01) << j;
}
