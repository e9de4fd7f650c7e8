#include "DatasetRequest.h"

#include <sstream>
#include <stdexcept>

#include "MotionCorrectionDatasetXml.h"  // generated at configure time from MotionCorrectionDatasetCLI.xml
#include "Run.h"
#include "TableParameters.h"

namespace mc::cli {

const std::string& datasetXml() {
  static const std::string xml(kMotionCorrectionDatasetXml);
  return xml;
}

const ModuleDescription& datasetDescription() {
  static const ModuleDescription d = parseModuleDescription(datasetXml());
  return d;
}

std::vector<std::string> bidsAppArguments(const std::vector<std::string>& args, AnalysisLevel& level) {
  level = AnalysisLevel::Participant;
  const auto positional = [&](std::size_t i) { return i < args.size() && !args[i].empty() && args[i][0] != '-'; };
  if (!(positional(0) && positional(1) && positional(2))) return args;
  if (args[2] == "group") level = AnalysisLevel::Group;
  else if (args[2] != "participant")
    throw std::invalid_argument(args[2] + ": unknown analysis level (participant or group)");
  std::vector<std::string> flags{"--bids", args[0], "--derivatives", args[1]};
  flags.insert(flags.end(), args.begin() + 3, args.end());
  return flags;
}

namespace {

std::vector<std::string> commaList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    // BIDS apps take space-separated labels; one quoted argument "01 02" is accepted too.
    std::stringstream words(item);
    for (std::string w; words >> w;) items.push_back(w);
  }
  return items;
}

}  // namespace

DatasetRequest datasetRequestFromCommandLine(const ModuleDescription& d, const CommandLine& c, AnalysisLevel level) {
  DatasetRequest r;
  r.level = level;
  const auto value = [&](const std::string& name) {
    const auto it = c.values.find(name);
    return it == c.values.end() ? std::string() : it->second;
  };
  RunRequest run;
  applyTableParameters(d, c, run, [](const std::string& xmlName) { return tableEntryNamed(xmlName); });
  DatasetOptions& o = r.options;
  o.job = run.spec;
  o.backend = run.backend;
  o.mpi = run.mpi;
  o.mpi.hostfile = value("hostfile");
  o.mpi.threadsPerRank = run.spec.threads;
  o.bidsRoot = value("bids");
  o.derivativesRoot = value("derivatives");
  o.selection.participants = commaList(value("participant_label"));
  o.selection.tasks = commaList(value("task"));
  try {
    o.fdThreshold = std::stod(value("fd_threshold"));
  } catch (const std::exception&) {
    throw std::invalid_argument(c.flagFor(d, "fd_threshold") + ": expected a number, got \"" + value("fd_threshold") + "\"");
  }
  o.resume = value("no_resume") != "true";
  o.report = value("no_report") != "true";
  r.progress = value("quiet") == "true" ? "none" : value("progress");
  if (level == AnalysisLevel::Participant) o.validate();
  else if (o.derivativesRoot.empty()) throw std::invalid_argument("--derivatives: required (the output folder)");
  return r;
}

}  // namespace mc::cli
