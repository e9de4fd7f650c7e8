#include "RunProvenance.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "JobParameters.h"
#include "internal/MotionSummaryJson.h"
#include "ParameterTable.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace mc {

namespace {

// The BIDS column descriptions of the confounds TSV (ParameterFiles.h's columns).
json columnDescriptions() {
  json c;
  const char* axes[3] = {"x", "y", "z"};
  for (int k = 0; k < 3; ++k) {
    c[std::string("trans_") + axes[k]] = {{"Description", std::string("Translation along ") + axes[k] +
                                                               " (RAS world axis) relative to the reference volume"},
                                          {"Units", "mm"}};
    c[std::string("rot_") + axes[k]] = {{"Description", std::string("Rotation about ") + axes[k] +
                                                             " (pitch, roll, yaw) relative to the reference volume"},
                                        {"Units", "rad"}};
  }
  c["framewise_displacement"] = {
      {"Description", "Framewise displacement (Power et al. 2012): sum of absolute translation differences plus "
                      "rotation differences as arc length on a 50 mm sphere; 0 for the first volume"},
      {"Units", "mm"}};
  return c;
}

const char* kProvenanceKey = "MotionCorrection";

}  // namespace

std::string fileChecksum(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  uLong crc = crc32(0L, Z_NULL, 0);
  std::vector<unsigned char> buf(1 << 20);
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) crc = crc32(crc, buf.data(), uInt(n));
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw std::runtime_error(path + ": read error while computing its checksum");
  char text[32];
  std::snprintf(text, sizeof text, "crc32:%08lx", static_cast<unsigned long>(crc));
  return text;
}

std::vector<std::pair<std::string, std::string>> provenanceParameters(const JobSpec& spec) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& [name, value] : jobParameters(spec)) {
    const ParameterEntry* e = findParameter(name);
    if (name == "threads" || (e && e->type == ParameterType::Path && name != "weight")) continue;
    kept.emplace_back(name, value);
  }
  return kept;
}

std::string formatConfoundsSidecar(const RunProvenance& p) {
  json j = columnDescriptions();
  json params = json::object();
  for (const auto& [name, value] : p.parameters) params[name] = value;
  const RunMotionSummary& m = p.motion;
  j[kProvenanceKey] = {{"Source", p.source},
                       {"InputBytes", p.inputBytes},
                       {"InputChecksum", p.inputChecksum},
                       {"Parameters", params},
                       {"Outputs", p.outputs},
                       {"Summary", motionSummaryJson(m)}};
  return j.dump(2) + "\n";
}

RunProvenance readConfoundsSidecar(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the confounds sidecar");
  const json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error(path + ": not a JSON object");
  if (!j.contains(kProvenanceKey) || !j[kProvenanceKey].is_object())
    throw std::runtime_error(path + ": has no \"" + std::string(kProvenanceKey) + "\" record (not written by us)");
  const json& r = j[kProvenanceKey];
  RunProvenance p;
  try {
    p.source = r.at("Source").get<std::string>();
    p.inputBytes = r.at("InputBytes").get<std::uintmax_t>();
    p.inputChecksum = r.at("InputChecksum").get<std::string>();
    for (const auto& [name, value] : r.at("Parameters").items()) p.parameters.emplace_back(name, value.get<std::string>());
    p.outputs = r.at("Outputs").get<std::vector<std::string>>();
    p.motion = motionSummaryFromJson(r.at("Summary"));
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": malformed \"" + std::string(kProvenanceKey) + "\" record: " + e.what());
  }
  return p;
}

std::optional<RunProvenance> completedRun(const std::string& sidecarPath, const RunProvenance& expected) {
  std::error_code ec;
  if (!fs::is_regular_file(sidecarPath, ec)) return std::nullopt;
  RunProvenance found;
  try {
    found = readConfoundsSidecar(sidecarPath);
  } catch (const std::runtime_error&) {
    return std::nullopt;  // unreadable: corrected again, and rewritten
  }
  auto sorted = [](std::vector<std::pair<std::string, std::string>> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  if (found.source != expected.source || found.inputBytes != expected.inputBytes ||
      found.inputChecksum != expected.inputChecksum || sorted(found.parameters) != sorted(expected.parameters))
    return std::nullopt;
  const fs::path folder = fs::path(sidecarPath).parent_path();
  for (const auto& name : found.outputs)
    if (!fs::is_regular_file(folder / name, ec)) return std::nullopt;
  return found;
}

}  // namespace mc
