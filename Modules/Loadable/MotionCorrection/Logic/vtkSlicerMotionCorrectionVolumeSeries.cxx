#include "vtkSlicerMotionCorrectionVolumeSeries.h"

// MotionCorrection
#include "ImageGeometry.h"
#include "VolumeSeries.h"

// Slicer
#include <vtkMRMLScalarVolumeNode.h>
#include <vtkMRMLSequenceNode.h>

// VTK
#include <vtkDataArray.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPointData.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace
{
// Every voxel of one scalar component as float (the engine's type), whatever the image stores.
void copyComponent(vtkImageData* image, int component, float* out, std::size_t count)
{
  vtkDataArray* scalars = image->GetPointData()->GetScalars();
  if (scalars->GetDataType() == VTK_FLOAT && scalars->GetNumberOfComponents() == 1)
  {
    std::memcpy(out, scalars->GetVoidPointer(0), count * sizeof(float));
    return;
  }
  for (vtkIdType i = 0; i < static_cast<vtkIdType>(count); ++i)
  {
    out[i] = static_cast<float>(scalars->GetComponent(i, component));
  }
}

// Seconds between frames when the index says so ("s" and numbers); 0 otherwise.
double repetitionTimeOf(vtkMRMLSequenceNode* sequence)
{
  // std::string(...): GetIndexUnit gives a const char* in Slicer 5.2 and a std::string in main.
  if (std::string(sequence->GetIndexUnit()) != "s" ||
      sequence->GetNumberOfDataNodes() < 2)
  {
    return 0;
  }
  try
  {
    const double tr = std::stod(sequence->GetNthIndexValue(1)) - std::stod(sequence->GetNthIndexValue(0));
    return tr > 0 ? tr : 0;
  }
  catch (const std::exception&)
  {
    return 0; // the index may be any text
  }
}
} // namespace

bool vtkSlicerMotionCorrectionVolumeSeries::IsPlainScalarVolume(vtkMRMLNode* node)
{
  return node && node->IsA("vtkMRMLScalarVolumeNode") && !node->IsA("vtkMRMLLabelMapVolumeNode") &&
         !node->IsA("vtkMRMLTensorVolumeNode");
}

bool vtkSlicerMotionCorrectionVolumeSeries::IsVolumeSequence(vtkMRMLNode* node)
{
  vtkMRMLSequenceNode* sequence = vtkMRMLSequenceNode::SafeDownCast(node);
  if (!sequence || sequence->GetNumberOfDataNodes() == 0)
  {
    return false;
  }
  const std::string dataClass = sequence->GetDataNodeClassName();
  if (dataClass == "vtkMRMLScalarVolumeNode")
  {
    return true;
  }
  // A subclass registered elsewhere: decide on the item itself.
  return !dataClass.empty() && IsPlainScalarVolume(sequence->GetNthDataNode(0));
}

std::string vtkSlicerMotionCorrectionVolumeSeries::CheckInput(vtkMRMLNode* input)
{
  if (!input)
  {
    return "no input node given: expected a volume sequence or a multivolume";
  }
  const std::string label = "input " + NodeLabel(input);
  if (vtkMRMLSequenceNode* sequence = vtkMRMLSequenceNode::SafeDownCast(input))
  {
    const int frames = sequence->GetNumberOfDataNodes();
    if (frames == 0)
    {
      return label + ": the sequence is empty, expected a volume sequence of at least 2 frames";
    }
    if (!IsVolumeSequence(sequence))
    {
      return label + ": is a sequence of " + sequence->GetDataNodeClassName() + ", expected a sequence of scalar volumes";
    }
    if (frames < 2)
    {
      return label + ": has 1 frame, a run needs at least 2";
    }
    mc::ImageGeometry first;
    for (int t = 0; t < frames; ++t)
    {
      vtkMRMLScalarVolumeNode* volume = vtkMRMLScalarVolumeNode::SafeDownCast(sequence->GetNthDataNode(t));
      if (!IsPlainScalarVolume(volume) || !volume->GetImageData())
      {
        return label + ": item " + std::to_string(t) + " is not a scalar volume with voxels";
      }
      if (t == 0)
      {
        first = GeometryOf(volume);
      }
      else if (!GeometryOf(volume).sameGridAs(first))
      {
        return label + ": item " + std::to_string(t) + " is not on the grid of the first one";
      }
    }
    return std::string();
  }
  if (IsPlainScalarVolume(input))
  {
    vtkImageData* image = vtkMRMLScalarVolumeNode::SafeDownCast(input)->GetImageData();
    if (!image)
    {
      return label + ": the volume has no voxels";
    }
    if (image->GetNumberOfScalarComponents() < 2)
    {
      return label + ": is a single 3D volume, expected a volume sequence or a multivolume of at least 2 frames";
    }
    return std::string();
  }
  return label + ": is a " + input->GetClassName() + ", expected a volume sequence or a multivolume";
}

bool vtkSlicerMotionCorrectionVolumeSeries::ToVolumeSeries(vtkMRMLNode* input, mc::VolumeSeries& run,
                                                           std::string& error)
{
  error = CheckInput(input);
  if (!error.empty())
  {
    return false;
  }
  try
  {
    run = mc::VolumeSeries();
    if (vtkMRMLSequenceNode* sequence = vtkMRMLSequenceNode::SafeDownCast(input))
    {
      const int frames = sequence->GetNumberOfDataNodes();
      for (int t = 0; t < frames; ++t)
      {
        vtkMRMLScalarVolumeNode* volume = vtkMRMLScalarVolumeNode::SafeDownCast(sequence->GetNthDataNode(t));
        if (t == 0)
        {
          run.allocate(GeometryOf(volume), frames);
        }
        copyComponent(volume->GetImageData(), 0, run.frame(t), run.frameSize());
      }
      run.repetitionTime = repetitionTimeOf(sequence);
    }
    else
    {
      // A multivolume keeps its frames as the scalar components of one image.
      vtkMRMLScalarVolumeNode* multiVolume = vtkMRMLScalarVolumeNode::SafeDownCast(input);
      vtkImageData* image = multiVolume->GetImageData();
      run.allocate(GeometryOf(multiVolume), image->GetNumberOfScalarComponents());
      for (int t = 0; t < run.frameCount; ++t)
      {
        copyComponent(image, t, run.frame(t), run.frameSize());
      }
    }
    run.storedType = mc::StoredType::Float32;
    return true;
  }
  catch (const std::exception& e) // std::bad_alloc for a run larger than memory
  {
    error = "input " + NodeLabel(input) + ": " + e.what();
    run = mc::VolumeSeries();
    return false;
  }
}

void vtkSlicerMotionCorrectionVolumeSeries::FillSequence(const mc::VolumeSeries& run, vtkMRMLSequenceNode* sequence)
{
  const int wasModifying = sequence->StartModify();
  sequence->RemoveAllDataNodes();
  sequence->SetIndexName("time");
  sequence->SetIndexUnit(run.repetitionTime > 0 ? "s" : "frame");
  sequence->SetIndexType(vtkMRMLSequenceNode::NumericIndex);
  const std::string prefix = sequence->GetName() ? sequence->GetName() : "frame";
  for (int t = 0; t < run.frameCount; ++t)
  {
    vtkNew<vtkMRMLScalarVolumeNode> volume;
    volume->SetName((prefix + " " + std::to_string(t)).c_str());
    vtkNew<vtkImageData> image;
    const auto& n = run.geometry.size;
    image->SetDimensions(n[0], n[1], n[2]);
    image->AllocateScalars(VTK_FLOAT, 1);
    std::memcpy(image->GetScalarPointer(), run.frame(t), run.frameSize() * sizeof(float));
    vtkNew<vtkMatrix4x4> ijkToRas;
    ToVtkMatrix(run.geometry.voxelToWorld, ijkToRas);
    volume->SetIJKToRASMatrix(ijkToRas);
    volume->SetAndObserveImageData(image);
    // The sequence keeps a copy of the node; the temporary goes with this scope.
    sequence->SetDataNodeAtValue(volume, IndexValue(run.repetitionTime > 0 ? t * run.repetitionTime : t));
  }
  sequence->EndModify(wasModifying);
}

void vtkSlicerMotionCorrectionVolumeSeries::FillVolume(const mc::Volume& source, vtkMRMLScalarVolumeNode* volume)
{
  vtkNew<vtkImageData> image;
  const auto& n = source.geometry.size;
  image->SetDimensions(n[0], n[1], n[2]);
  image->AllocateScalars(VTK_FLOAT, 1);
  std::memcpy(image->GetScalarPointer(), source.voxels.data(), source.voxels.size() * sizeof(float));
  vtkNew<vtkMatrix4x4> ijkToRas;
  ToVtkMatrix(source.geometry.voxelToWorld, ijkToRas);
  volume->SetIJKToRASMatrix(ijkToRas);
  volume->SetAndObserveImageData(image);
}

mc::ImageGeometry vtkSlicerMotionCorrectionVolumeSeries::GeometryOf(vtkMRMLScalarVolumeNode* volume)
{
  mc::ImageGeometry g;
  int dims[3];
  volume->GetImageData()->GetDimensions(dims);
  g.size = { dims[0], dims[1], dims[2] };
  vtkNew<vtkMatrix4x4> ijkToRas;
  volume->GetIJKToRASMatrix(ijkToRas);
  g.voxelToWorld = FromVtkMatrix(ijkToRas);
  return g;
}

void vtkSlicerMotionCorrectionVolumeSeries::ToVtkMatrix(const mc::Matrix4& m, vtkMatrix4x4* out)
{
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      out->SetElement(r, c, m(r, c));
}

mc::Matrix4 vtkSlicerMotionCorrectionVolumeSeries::FromVtkMatrix(vtkMatrix4x4* in)
{
  mc::Matrix4 m;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      m(r, c) = in->GetElement(r, c);
  return m;
}

std::string vtkSlicerMotionCorrectionVolumeSeries::IndexValue(double value)
{
  char text[64];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

std::string vtkSlicerMotionCorrectionVolumeSeries::NodeLabel(vtkMRMLNode* node)
{
  if (node->GetName() && *node->GetName())
  {
    return std::string("\"") + node->GetName() + "\"";
  }
  return std::string("node ") + (node->GetID() ? node->GetID() : "(not in a scene)");
}
