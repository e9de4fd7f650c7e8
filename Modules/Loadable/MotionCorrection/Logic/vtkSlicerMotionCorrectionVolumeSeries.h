#ifndef __vtkSlicerMotionCorrectionVolumeSeries_h
#define __vtkSlicerMotionCorrectionVolumeSeries_h

// The engine's in-memory images (mc::VolumeSeries, mc::Volume: float voxels, x fastest, frame after
// frame, geometry voxelToWorld = IJK -> RAS mm) and MRML's (a volume sequence, a multivolume, a
// scalar volume) converted both ways, so that the logic hands the engine the scene's voxels without
// a file in between. Voxel values and IJKToRAS matrices go across exactly (double matrices on both
// sides); voxels of other scalar types become float, as the engine reads them from files.
#include "vtkSlicerMotionCorrectionModuleLogicExport.h"

#include <string>

class vtkMatrix4x4;
class vtkMRMLNode;
class vtkMRMLScalarVolumeNode;
class vtkMRMLSequenceNode;

namespace mc
{
struct Matrix4;
struct ImageGeometry;
struct Volume;
struct VolumeSeries;
}

class VTK_SLICER_MOTIONCORRECTION_MODULE_LOGIC_EXPORT vtkSlicerMotionCorrectionVolumeSeries
{
public:
  /// A scalar volume that holds intensities: label maps, vectors and tensors derive from
  /// vtkMRMLScalarVolumeNode but are not runs.
  static bool IsPlainScalarVolume(vtkMRMLNode* node);
  /// A non-empty sequence whose data nodes are plain scalar volumes.
  static bool IsVolumeSequence(vtkMRMLNode* node);

  /// "" when `input` can be motion-corrected (a volume sequence of >= 2 frames with voxels on one
  /// grid, or a multivolume: one scalar component per frame); else one line naming the node.
  static std::string CheckInput(vtkMRMLNode* input);

  /// The voxels and geometry of a checked input (CheckInput gave ""). The repetition time is the
  /// step of the sequence's index when its unit is "s", else 0. Returns false with `error` set
  /// (one line) when the input does not convert.
  static bool ToVolumeSeries(vtkMRMLNode* input, mc::VolumeSeries& run, std::string& error);

  /// Replaces the sequence's items by one scalar volume per frame (float voxels, the run's
  /// IJKToRAS); index "time" in seconds when the run has a repetition time, else frame numbers.
  /// Item names are "<sequence name> <frame>".
  static void FillSequence(const mc::VolumeSeries& run, vtkMRMLSequenceNode* sequence);
  /// Sets a scalar volume's voxels (float) and IJKToRAS from a 3D image.
  static void FillVolume(const mc::Volume& image, vtkMRMLScalarVolumeNode* volume);

  /// The grid of a volume with voxels: size and IJKToRAS.
  static mc::ImageGeometry GeometryOf(vtkMRMLScalarVolumeNode* volume);
  static void ToVtkMatrix(const mc::Matrix4& m, vtkMatrix4x4* out);
  static mc::Matrix4 FromVtkMatrix(vtkMatrix4x4* in);
  /// A sequence index value for a number: 10 significant digits keep t * TR exact for any
  /// realistic run (vtkVariant's default 6 would round 1007.28 s after 1399 frames of 0.72 s).
  static std::string IndexValue(double value);
  /// "\"name\"", or "node <ID>" for an unnamed node: how errors name nodes.
  static std::string NodeLabel(vtkMRMLNode* node);
};

#endif
