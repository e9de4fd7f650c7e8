#pragma once
// Text outputs: SPM's rp_*.txt, the per-frame 4x4 matrices, and the fMRIPrep-style confounds TSV.
#include <string>
#include <vector>

#include "Matrix4.h"
#include "RigidTransform.h"

namespace mc {

// One row per frame: x y z (mm) pitch roll yaw (rad), as SPM's save -ascii writes them.
std::string formatRpFile(const std::vector<RigidParameters>& params);
std::vector<RigidParameters> parseRpFile(const std::string& path);  // throws std::runtime_error naming the file

// One row per frame: the 16 entries of the world (RAS mm) matrix, row-major, after a header comment.
std::string formatTransformsFile(const std::vector<Matrix4>& transforms);

// Header trans_x trans_y trans_z rot_x rot_y rot_z framewise_displacement, tab-separated, then
// fMRIPrep's one-hot outlier columns motion_outlier00, motion_outlier01, ...: one per frame of
// `outlierFrames` (in the order given), 1 in that frame's row and 0 elsewhere; none when it is empty.
std::string formatConfoundsTsv(const std::vector<RigidParameters>& params, const std::vector<double>& fd,
                               const std::vector<int>& outlierFrames = {});
// Row `frame` of that file, with its newline: what a file growing by one frame at a time appends
// (follow mode) after the header formatConfoundsTsv({}, {}, outlierFrames) gives.
std::string formatConfoundsRow(const RigidParameters& params, double fd, int frame,
                               const std::vector<int>& outlierFrames = {});

}  // namespace mc
