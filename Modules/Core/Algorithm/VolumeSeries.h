#pragma once
// In-memory images: a 4D run (VolumeSeries) and a single 3D volume (Volume), voxels as float.
#include <cstddef>
#include <string>
#include <vector>

#include "ImageGeometry.h"

namespace mc {

// Datatype the file stored, kept so that an output can optionally be written back in it.
enum class StoredType { UInt8, Int8, UInt16, Int16, UInt32, Int32, Float32, Float64, Other };

// How a file holds voxel values: stored = round((value - intercept) / slope), clamped to the type
// (NIfTI's scl_slope/scl_inter). A scaled int16 input is written back with its own scaling.
struct StoredFormat {
  StoredType type = StoredType::Float32;
  double slope = 1, intercept = 0;
};

struct Volume {
  ImageGeometry geometry;
  std::vector<float> voxels;  // x fastest, then y, then z
};

struct VolumeSeries {
  ImageGeometry geometry;
  int frameCount = 0;
  double repetitionTime = 0;  // seconds; 0 when the file does not say
  StoredType storedType = StoredType::Float32;
  double storedSlope = 1, storedIntercept = 0;  // the file's scaling of storedType (1, 0 when none)
  std::vector<float> voxels;  // frame after frame, each laid out as in Volume

  StoredFormat storedFormat() const { return StoredFormat{storedType, storedSlope, storedIntercept}; }

  std::size_t frameSize() const { return geometry.voxelCount(); }
  float* frame(int t) { return voxels.data() + std::size_t(t) * frameSize(); }
  const float* frame(int t) const { return voxels.data() + std::size_t(t) * frameSize(); }
  void allocate(const ImageGeometry& g, int frames) {
    geometry = g;
    frameCount = frames;
    voxels.assign(g.voxelCount() * std::size_t(frames), 0.0f);
  }
  Volume extractFrame(int t) const {
    return Volume{geometry, std::vector<float>(frame(t), frame(t) + frameSize())};
  }
};

}  // namespace mc
