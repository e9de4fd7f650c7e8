// The report page: a sortable table of every run, per run its motion plots and before/after mean
// slice, and the mean FD per subject. Everything it shows is read back from the files the dataset
// wrote (confounds TSV, mean boldref) and the run's input, so a report written again from the
// summary (writeReportFromSummary) is the same page.
#include "DatasetReport.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "AtomicOutput.h"
#include "DerivativesLayout.h"
#include "ImageIO.h"
#include "MeanSlicePng.h"
#include "ReportAssets.h"
#include "SvgPlot.h"

namespace mc {
namespace {

using report::escapeXml;

std::string number(double v, const char* format) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, v);
  return buffer;
}

// The motion columns of a confounds TSV, rotations still in radians. FD's n/a (frame 0) is 0.
struct Confounds {
  std::vector<double> columns[7];  // trans_x trans_y trans_z rot_x rot_y rot_z framewise_displacement
};

Confounds readConfounds(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the confounds table");
  static const char* names[7] = {"trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "framewise_displacement"};
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  for (std::stringstream ss(line); std::getline(ss, line, '\t');) header.push_back(line);
  int index[7];
  for (int c = 0; c < 7; ++c) {
    index[c] = -1;
    for (std::size_t k = 0; k < header.size(); ++k)
      if (header[k] == names[c]) index[c] = int(k);
    if (index[c] < 0) throw std::runtime_error(path + ": no column " + names[c]);
  }
  Confounds t;
  int row = 1;
  while (std::getline(in, line)) {
    ++row;
    if (line.empty()) continue;
    std::vector<std::string> cells;
    for (std::stringstream ss(line); std::getline(ss, line, '\t');) cells.push_back(line);
    for (int c = 0; c < 7; ++c) {
      if (std::size_t(index[c]) >= cells.size())
        throw std::runtime_error(path + ": line " + std::to_string(row) + " is short");
      const std::string& v = cells[std::size_t(index[c])];
      t.columns[c].push_back(v == "n/a" ? 0.0 : std::stod(v));
    }
  }
  return t;
}

// One table cell: its text and the value sorting uses ("" for n/a: sorted last).
std::string cell(const std::string& text, const std::string& value, const std::string& cls = {}) {
  return "<td" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + " data-value=\"" + escapeXml(value) +
         "\">" + text + "</td>";
}
std::string numberCell(bool known, double v, const char* format, bool over = false) {
  if (!known) return cell("n/a", "");
  return cell(number(v, format), number(v, "%.9g"), over ? "over" : "");
}
std::string textCell(const std::string& s) {
  return cell(s.empty() ? "&ndash;" : escapeXml(s), s, "text");
}

std::string anchorOf(const BidsRun& run) { return "run-" + run.stem; }

struct Column {
  const char* key;
  const char* label;
  bool numeric;
};
const Column kColumns[] = {
    {"run", "run", false},           {"subject", "subject", false},
    {"session", "session", false},   {"task", "task", false},
    {"status", "status", false},     {"frames", "frames", true},
    {"mean_fd", "mean FD (mm)", true}, {"max_fd", "max FD (mm)", true},
    {"frames_over", "frames over", true}, {"minutes_over", "min over", true},
    {"max_translation_mm", "max trans (mm)", true}, {"max_rotation_deg", "max rot (&deg;)", true},
    {"seconds", "seconds", true},    {"reason", "failure", false},
};

std::string tableOf(const std::vector<DatasetRunResult>& runs, double fdThreshold) {
  std::string s = "<table class=\"runs\" id=\"runs\"><thead><tr>";
  for (const Column& c : kColumns)
    s += std::string("<th data-key=\"") + c.key + "\" data-type=\"" + (c.numeric ? "number" : "text") + "\"" +
         (c.numeric ? "" : " class=\"text\"") + " title=\"sort by " + c.key + "\">" + c.label + "</th>";
  s += "</tr></thead><tbody>";
  for (const DatasetRunResult& r : runs) {
    const bool motion = r.status != RunStatus::Failed;
    const RunMotionSummary& m = r.motion;
    const std::string status = runStatusName(r.status);
    s += "<tr class=\"" + status + "\" data-run=\"" + escapeXml(r.run.relativePath) + "\">";
    // The file's stem: its folder repeats the subject and session beside it, and the full path
    // (in the title and the run's section) would make the table wider than a screen.
    s += cell("<a href=\"#" + escapeXml(anchorOf(r.run)) + "\" title=\"" + escapeXml(r.run.relativePath) + "\">" +
                  escapeXml(r.run.stem) + "</a>",
              r.run.relativePath, "text");
    s += textCell(r.run.subject) + textCell(r.run.session) + textCell(r.run.task);
    s += cell("<span class=\"status " + status + "\">" + status + "</span>", status, "text");
    s += numberCell(motion, m.frames, "%.0f");
    s += numberCell(motion, m.meanFd, "%.3f", motion && m.meanFd > fdThreshold);
    s += numberCell(motion, m.maxFd, "%.3f", motion && m.maxFd > fdThreshold);
    s += numberCell(motion, m.framesOver, "%.0f", motion && m.framesOver > 0);
    s += numberCell(motion && m.repetitionTime > 0, m.minutesOver, "%.2f");
    s += numberCell(motion, m.maxTranslation, "%.2f");
    s += numberCell(motion, m.maxRotation, "%.2f");
    s += numberCell(r.status == RunStatus::Done, r.seconds, "%.1f");
    s += r.reason.empty() ? cell("", "", "text") : cell(escapeXml(r.reason), r.reason, "text reason");
    s += "</tr>";
  }
  return s + "</tbody></table>";
}

std::string meanFigure(const std::string& caption, const std::function<Volume()>& read) {
  try {
    return "<figure><img alt=\"" + caption + "\" src=\"" + report::middleAxialSliceDataUri(read()) +
           "\"><figcaption>" + caption + "</figcaption></figure>";
  } catch (const std::exception& e) {
    // The page is still worth having without the image: say why it is missing.
    return "<figure><figcaption>" + caption + ": " + escapeXml(e.what()) + "</figcaption></figure>";
  }
}

std::string runSection(const DatasetRunResult& r, const std::string& derivativesRoot, double fdThreshold) {
  std::string s = "<section class=\"run " + std::string(runStatusName(r.status)) + "\" id=\"" +
                  escapeXml(anchorOf(r.run)) + "\"><h3>" + escapeXml(r.run.relativePath) + " &mdash; " +
                  runStatusName(r.status) + "</h3>";
  if (r.status == RunStatus::Failed)
    return s + "<p class=\"reason\">Failed: " + escapeXml(r.reason) + "</p></section>";

  // The names as for a full correction: whether the run was estimate-only is not in its result,
  // so the mean after is shown when its file exists.
  const RunOutputs outputs = runOutputs(r.run, derivativesRoot, false);
  s += "<div class=\"plots\">";
  try {
    const Confounds c = readConfounds(outputs.confounds);
    auto column = [&](int k, double scale) {
      std::vector<double> v = c.columns[k];
      for (double& x : v) x *= scale;
      return v;
    };
    const double degrees = 180.0 / M_PI;
    report::LinePlot trans{"Translation", "mm",
                           {{"x", "#1f77b4", column(0, 1)}, {"y", "#2ca02c", column(1, 1)}, {"z", "#ff7f0e", column(2, 1)}}};
    report::LinePlot rot{"Rotation", "deg",
                         {{"pitch", "#1f77b4", column(3, degrees)}, {"roll", "#2ca02c", column(4, degrees)},
                          {"yaw", "#ff7f0e", column(5, degrees)}}};
    report::LinePlot fd{"Framewise displacement", "mm", {{"FD", "#6a3d9a", column(6, 1)}}, true, fdThreshold};
    s += report::svgLinePlot(trans, 340) + report::svgLinePlot(rot, 340) + report::svgLinePlot(fd, 340);
  } catch (const std::exception& e) {
    s += "<p class=\"reason\">No plots: " + escapeXml(e.what()) + "</p>";
  }
  s += "<div class=\"means\">";
  s += meanFigure("mean before", [&] { return report::meanOverFrames(readVolumeSeries(r.run.input)); });
  if (std::filesystem::exists(outputs.mean))
    s += meanFigure("mean after", [&] { return readVolume(outputs.mean); });
  s += "</div></div></section>";
  return s;
}

// Mean FD per subject: the mean over that subject's corrected runs, the group's quick look at who moved.
std::string groupPlot(const std::vector<DatasetRunResult>& runs, double fdThreshold) {
  std::map<std::string, std::pair<double, int>> bySubject;
  for (const DatasetRunResult& r : runs)
    if (r.status != RunStatus::Failed) {
      auto& entry = bySubject["sub-" + r.run.subject];
      entry.first += r.motion.meanFd;
      entry.second += 1;
    }
  report::BarPlot plot{"Mean FD per subject", "mm", {}, {}, true, fdThreshold};
  for (const auto& [subject, sum] : bySubject) {
    plot.labels.push_back(subject);
    plot.values.push_back(sum.first / sum.second);
  }
  if (plot.labels.empty()) return "<p>No corrected run.</p>";
  return report::svgBarPlot(plot);
}

}  // namespace

std::string writeDatasetReport(const std::string& derivativesRoot, const std::vector<DatasetRunResult>& runs,
                               double fdThreshold) {
  int counts[3] = {0, 0, 0};
  for (const DatasetRunResult& r : runs) ++counts[int(r.status)];
  std::string page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Motion report</title><style>";
  page += report::kReportCss;
  page += "</style></head><body><h1>Motion correction report</h1><div class=\"meta\">" + escapeXml(derivativesRoot) +
          " &middot; FD threshold " + number(fdThreshold, "%g") + " mm</div>";
  page += "<div class=\"counts\"><span><b>" + std::to_string(runs.size()) + "</b> runs</span><span><b>" +
          std::to_string(counts[int(RunStatus::Done)]) + "</b> done</span><span><b>" +
          std::to_string(counts[int(RunStatus::Skipped)]) + "</b> skipped (already complete)</span><span><b>" +
          std::to_string(counts[int(RunStatus::Failed)]) + "</b> failed</span></div>";
  page += "<h2>Runs</h2><p class=\"meta\">Click a column header to sort.</p>" + tableOf(runs, fdThreshold);
  page += "<h2>Group</h2>" + groupPlot(runs, fdThreshold);
  page += "<h2>Per run</h2>";
  for (const DatasetRunResult& r : runs) page += runSection(r, derivativesRoot, fdThreshold);
  page += "<script>";
  page += report::kReportJs;
  page += "</script></body></html>\n";
  const std::string path = (std::filesystem::path(derivativesRoot) / kDatasetReportName).string();
  writeTextAtomically(path, page);
  return path;
}

}  // namespace mc
