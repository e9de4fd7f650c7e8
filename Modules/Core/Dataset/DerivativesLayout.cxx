#include "DerivativesLayout.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <nlohmann/json.hpp>

#include "AtomicOutput.h"

namespace fs = std::filesystem;

namespace mc {

namespace {
constexpr const char* kPipelineName = "SlicerMotionCorrection";
}

RunOutputs runOutputs(const BidsRun& run, const std::string& derivativesRoot, bool estimateOnly) {
  RunOutputs o;
  const fs::path folder = fs::path(derivativesRoot) / fs::path(run.relativePath).parent_path();
  o.folder = folder.string();
  if (!estimateOnly) {
    o.realigned = (folder / (run.stem + "_desc-realigned_bold" + run.extension)).string();
    o.mean = (folder / (run.stem + "_desc-mean_boldref" + run.extension)).string();
  }
  o.parameters = (folder / ("rp_" + run.stem + "_bold.txt")).string();
  o.confounds = (folder / (run.stem + "_desc-confounds_timeseries.tsv")).string();
  o.confoundsSidecar = (folder / (run.stem + "_desc-confounds_timeseries.json")).string();
  return o;
}

JobSpec derivativesJob(const BidsRun& run, const std::string& derivativesRoot, const JobSpec& templ) {
  const RunOutputs o = runOutputs(run, derivativesRoot, templ.estimateOnly);
  std::error_code ec;
  fs::create_directories(o.folder, ec);
  if (ec) throw std::runtime_error(o.folder + ": cannot create the output folder: " + ec.message());
  JobSpec spec = templ;
  spec.input = run.input;
  spec.realignedOutput = o.realigned;
  spec.meanOutput = o.mean;
  spec.parametersOutput = o.parameters;
  spec.confoundsOutput = o.confounds;
  spec.transformsOutput.clear();
  return spec;
}

void writeDatasetDescription(const std::string& derivativesRoot, const std::string& bidsRoot) {
  std::error_code ec;
  fs::create_directories(derivativesRoot, ec);
  if (ec) throw std::runtime_error(derivativesRoot + ": cannot create the derivatives folder: " + ec.message());
  const std::string path = (fs::path(derivativesRoot) / "dataset_description.json").string();
  if (fs::exists(path)) {
    std::ifstream in(path);
    const nlohmann::json existing = nlohmann::json::parse(in, nullptr, false);
    bool ours = false;
    if (existing.is_object() && existing.contains("GeneratedBy") && existing["GeneratedBy"].is_array())
      for (const auto& g : existing["GeneratedBy"])
        if (g.is_object() && g.value("Name", "") == kPipelineName) ours = true;
    if (ours) return;
    throw std::runtime_error(path + ": belongs to another pipeline (its GeneratedBy does not name " +
                             std::string(kPipelineName) + "); choose another derivatives folder");
  }
  nlohmann::json d;
  d["Name"] = "Head motion correction (SlicerMotionCorrection)";
  d["BIDSVersion"] = "1.9.0";
  d["DatasetType"] = "derivative";
  d["GeneratedBy"] = nlohmann::json::array(
      {{{"Name", kPipelineName},
        {"Version", MC_VERSION},
        {"Description", "Rigid realignment of every volume to a reference (SPM12-style Gauss-Newton on B-spline "
                        "interpolated, smoothed references), then B-spline reslicing"}}});
  d["SourceDatasets"] = nlohmann::json::array({{{"URL", "file://" + fs::absolute(bidsRoot).lexically_normal().string()}}});
  writeTextAtomically(path, d.dump(2) + "\n");
}

}  // namespace mc
