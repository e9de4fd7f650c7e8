// motion_report.html of a real corrected dataset: one table row per run with its numbers, the
// failed run's reason, the plots of every other run with one point per frame, the mean images as
// PNGs of the grid's size, nothing loaded from the network; and a resumed (skipped) run still
// plotted. DatasetReportPage.WritesARealisticReport also makes the page the screenshot test renders.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "DatasetFixture.h"
#include "DatasetRun.h"
#include "DerivativesLayout.h"

namespace fs = std::filesystem;
using namespace mc;

namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int countOf(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The text between `open` (first found from `from`) and the next `close`.
std::string between(const std::string& text, const std::string& open, const std::string& close, std::size_t from = 0) {
  const std::size_t a = text.find(open, from);
  if (a == std::string::npos) return {};
  const std::size_t b = text.find(close, a + open.size());
  return text.substr(a, (b == std::string::npos ? text.size() : b) - a);
}

std::string decodeBase64(const std::string& s) {
  std::string out;
  int bits = 0;
  unsigned value = 0;  // only the bits not yet emitted are kept: at most 6 + 7
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else break;  // '=' padding ends it
    value = ((value << 6) | unsigned(v)) & 0x3fffu;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((value >> bits) & 0xff));
    }
  }
  return out;
}

std::uint32_t bigEndian(const std::string& b, std::size_t at) {
  return std::uint32_t(std::uint8_t(b[at])) << 24 | std::uint32_t(std::uint8_t(b[at + 1])) << 16 |
         std::uint32_t(std::uint8_t(b[at + 2])) << 8 | std::uint8_t(b[at + 3]);
}

// Width and height of every PNG data URI in the page, from its IHDR.
std::vector<std::pair<int, int>> pngSizes(const std::string& html) {
  std::vector<std::pair<int, int>> sizes;
  const std::string prefix = "data:image/png;base64,";
  for (std::size_t at = html.find(prefix); at != std::string::npos; at = html.find(prefix, at + 1)) {
    const std::size_t end = html.find('"', at);
    const std::string png = decodeBase64(html.substr(at + prefix.size(), end - at - prefix.size()));
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(png.substr(12, 4), "IHDR");
    sizes.emplace_back(int(bigEndian(png, 16)), int(bigEndian(png, 20)));
  }
  return sizes;
}

// Points in each polyline of the text, in order.
std::vector<int> polylinePointCounts(const std::string& text) {
  std::vector<int> counts;
  for (std::size_t at = text.find("<polyline"); at != std::string::npos; at = text.find("<polyline", at + 1)) {
    const std::string points = between(text, "points=\"", "\"", at);
    counts.push_back(countOf(points, ",") );
  }
  return counts;
}

std::string fixed(double v, const char* format) {
  char b[64];
  std::snprintf(b, sizeof b, format, v);
  return b;
}

DatasetOptions optionsFor(const test::BidsFixture& f) {
  DatasetOptions o;
  o.bidsRoot = f.root;
  o.derivativesRoot = f.derivatives;
  o.job.threads = 2;
  o.report = true;
  return o;
}

}  // namespace

TEST(DatasetReportPage, ShowsEveryRunWithItsNumbersPlotsAndMeans) {
  test::BidsFixture f;
  const std::vector<std::pair<std::string, int>> good{
      {f.addRun("01", "", "rest", 1, 8, 1), 8}, {f.addRun("01", "", "rest", 2, 10, 2), 10},
      {f.addRun("02", "pre", "rest", 1, 12, 3), 12}};
  const std::string bad = f.addCorruptRun("03", "rest");
  const DatasetResult r = runDataset(optionsFor(f));
  ASSERT_EQ(r.runs.size(), 4u);
  const std::string reportPath = (fs::path(f.derivatives) / kDatasetReportName).string();
  EXPECT_EQ(r.reportPath, reportPath);
  const std::string html = readText(reportPath);
  ASSERT_FALSE(html.empty());

  // The table: one row per run, each with the numbers of its summary.
  const std::string table = between(html, "<tbody>", "</tbody>");
  EXPECT_EQ(countOf(table, "<tr "), 4);
  for (const DatasetRunResult& x : r.runs) {
    const std::string row = between(table, "<tr class=\"" + std::string(runStatusName(x.status)) + "\" data-run=\"" +
                                               x.run.relativePath + "\"", "</tr>");
    ASSERT_FALSE(row.empty()) << x.run.relativePath;
    if (x.status == RunStatus::Failed) {
      EXPECT_NE(row.find("n/a"), std::string::npos);
      EXPECT_NE(row.find(f.path(bad)), std::string::npos) << row;  // the reason names the file
      continue;
    }
    EXPECT_NE(row.find(">" + std::to_string(x.motion.frames) + "<"), std::string::npos) << row;
    for (double v : {x.motion.meanFd, x.motion.maxFd})
      EXPECT_NE(row.find(">" + fixed(v, "%.3f") + "<"), std::string::npos) << row;
    for (double v : {x.motion.maxTranslation, x.motion.maxRotation, x.motion.minutesOver})
      EXPECT_NE(row.find(">" + fixed(v, "%.2f") + "<"), std::string::npos) << row;
    EXPECT_GT(x.motion.maxTranslation, 0.1);  // the runs did move: the numbers are not zeros
  }

  // Per run: the failed one says why and has no plot; the others three plots, one point per frame.
  const std::string failedSection = between(html, "<section class=\"run failed\"", "</section>");
  EXPECT_NE(failedSection.find(f.path(bad)), std::string::npos);
  EXPECT_EQ(failedSection.find("<svg"), std::string::npos);
  EXPECT_EQ(countOf(html, "<section class=\"run done\""), 3);
  for (const auto& [rel, frames] : good) {
    const std::string section = between(html, "<section class=\"run done\" id=\"run-" + bidsRunAt(f.root, rel).stem,
                                        "</section>");
    ASSERT_FALSE(section.empty()) << rel;
    EXPECT_EQ(countOf(section, "<svg"), 3) << rel;
    const std::vector<int> points = polylinePointCounts(section);
    EXPECT_EQ(points, std::vector<int>(7, frames)) << rel;  // x y z, pitch roll yaw, FD
    EXPECT_EQ(countOf(section, "class=\"threshold\""), 1) << rel;
    EXPECT_EQ(countOf(section, "data:image/png;base64,"), 2) << rel;  // before and after
  }
  // The group plot: one bar per subject with a corrected run.
  EXPECT_EQ(countOf(between(html, "<svg class=\"plot group\"", "</svg>"), "class=\"bar\""), 2);

  // The images: the middle slice of the 40x40x24 phantom grid.
  const auto sizes = pngSizes(html);
  EXPECT_EQ(sizes.size(), 6u);
  for (const auto& s : sizes) EXPECT_EQ(s, std::make_pair(40, 40));

  // Opens from disk: nothing fetched from anywhere; and nothing left beside it by the atomic write.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src=\"/"), std::string::npos);
  for (const auto& e : fs::directory_iterator(f.derivatives))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();

  // Resumed: every good run skipped, still plotted from its files.
  const DatasetResult again = runDataset(optionsFor(f));
  EXPECT_EQ(again.count(RunStatus::Skipped), 3);
  const std::string resumed = readText(reportPath);
  EXPECT_EQ(countOf(resumed, "<section class=\"run skipped\""), 3);
  EXPECT_EQ(countOf(resumed, "<polyline"), 21);
  EXPECT_EQ(pngSizes(resumed).size(), 6u);
}

TEST(DatasetReportPage, EstimateOnlyHasNoMeanAfter) {
  test::BidsFixture f;
  f.addRun("01", "", "rest", 1, 6, 4);
  DatasetOptions o = optionsFor(f);
  o.job.estimateOnly = true;
  const DatasetResult r = runDataset(o);
  ASSERT_EQ(r.count(RunStatus::Done), 1);
  const std::string html = readText(r.reportPath);
  EXPECT_EQ(countOf(html, "mean before"), 2);  // alt and caption
  EXPECT_EQ(countOf(html, "mean after"), 0);
  EXPECT_EQ(pngSizes(html).size(), 1u);
  EXPECT_EQ(polylinePointCounts(html), std::vector<int>(7, 6));
}

// A dataset a person would look at (6 runs of 3 subjects, realistic motion, one corrupt run),
// written to $MC_REPORT_DATASET when set (the screenshot test renders its report), else skipped.
TEST(DatasetReportPage, WritesARealisticReport) {
  const char* out = std::getenv("MC_REPORT_DATASET");
  if (!out) GTEST_SKIP() << "MC_REPORT_DATASET is not set (the screenshot test sets it)";
  test::BidsFixture f;
  f.root = (fs::path(out) / "bids").string();
  f.derivatives = (fs::path(out) / "derivatives").string();
  fs::remove_all(out);
  int seed = 1;
  for (const char* subject : {"01", "02", "03"})
    for (int run = 1; run <= 2; ++run, ++seed) {
      if (std::string(subject) == "03" && run == 2) {
        f.addCorruptRun(subject, "motor");
        continue;
      }
      TrajectoryOptions t;
      t.frames = 40;
      t.seed = std::uint64_t(seed);
      t.maxTranslationMm = 0.6 * seed;  // subjects that move more and more
      t.maxRotationDeg = 0.5 * seed;
      const std::string folder = "sub-" + std::string(subject) + "/func";
      const std::string rel = folder + "/sub-" + subject + "_task-rest_run-" + std::to_string(run) + "_bold.nii.gz";
      fs::create_directories(fs::path(f.root) / folder);
      writeVolumeSeries(f.path(rel), test::smallPhantomRun(realisticTrajectory(t), 0.02).run);
    }
  const DatasetResult r = runDataset(optionsFor(f));
  EXPECT_EQ(r.runs.size(), 6u);
  EXPECT_EQ(r.count(RunStatus::Failed), 1);
  EXPECT_TRUE(fs::exists(r.reportPath));
}
