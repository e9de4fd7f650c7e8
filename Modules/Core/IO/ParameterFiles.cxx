#include "ParameterFiles.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mc {
namespace {

std::string number(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

}  // namespace

std::string formatRpFile(const std::vector<RigidParameters>& params) {
  std::string s;
  for (const auto& p : params) {
    for (int i = 0; i < 6; ++i) s += number("  %.9e", p[i]);
    s += "\n";
  }
  return s;
}

std::vector<RigidParameters> parseRpFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open parameter file");
  std::vector<RigidParameters> out;
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
    std::istringstream ls(line);
    RigidParameters p;
    for (int i = 0; i < 6; ++i)
      if (!(ls >> p[i]))
        throw std::runtime_error(path + ": line " + std::to_string(lineNo) + " does not hold 6 numbers");
    out.push_back(p);
  }
  return out;
}

std::string formatTransformsFile(const std::vector<Matrix4>& transforms) {
  std::string s =
      "# One row per frame: the 4x4 world-space (NIfTI RAS, mm) rigid matrix Q, row-major, relative to the\n"
      "# reference frame. Frame voxel y shows the anatomy found at Q * voxelToWorld * y in the reference.\n";
  for (const auto& m : transforms) {
    for (int i = 0; i < 16; ++i) s += number(i ? " %.12g" : "%.12g", m.m[i]);
    s += "\n";
  }
  return s;
}

std::string formatConfoundsTsv(const std::vector<RigidParameters>& params, const std::vector<double>& fd,
                               const std::vector<int>& outlierFrames) {
  std::string s = "trans_x\ttrans_y\ttrans_z\trot_x\trot_y\trot_z\tframewise_displacement";
  for (std::size_t k = 0; k < outlierFrames.size(); ++k) {
    const std::string index = std::to_string(k);  // two digits at least, as fMRIPrep writes them
    s += "\tmotion_outlier" + std::string(index.size() < 2 ? 1 : 0, '0') + index;
  }
  s += "\n";
  for (std::size_t j = 0; j < params.size(); ++j)
    s += formatConfoundsRow(params[j], j < fd.size() ? fd[j] : 0.0, int(j), outlierFrames);
  return s;
}

std::string formatConfoundsRow(const RigidParameters& params, double fd, int frame,
                               const std::vector<int>& outlierFrames) {
  std::string s;
  for (int i = 0; i < 6; ++i) s += number(i ? "\t%.9g" : "%.9g", params[i]);
  s += frame == 0 ? std::string("\tn/a") : number("\t%.9g", fd);
  for (int outlier : outlierFrames) s += outlier == frame ? "\t1" : "\t0";
  s += "\n";
  return s;
}

}  // namespace mc
