#pragma once
// A Slicer-like MRML world for the module logic: a real vtkMRMLScene with an application logic that
// knows the Sequences module's logic (as Slicer wires module logics), runs generated with known
// motion, and ways to compare scene states before and after.
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <vtkCacheManager.h>
#include <vtkCallbackCommand.h>
#include <vtkDataIOManager.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkMRMLApplicationLogic.h>
#include <vtkMRMLNode.h>
#include <vtkMRMLScalarVolumeNode.h>
#include <vtkMRMLScene.h>
#include <vtkMRMLScriptedModuleNode.h>
#include <vtkMRMLSequenceNode.h>
#include <vtkMRMLTableNode.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkSlicerSequencesLogic.h>
#include <vtkSmartPointer.h>
#include <vtkTable.h>

#include "ImageIO.h"
#include "SyntheticRun.h"
#include "TestSupport.h"
#include "vtkSlicerMotionCorrectionLogic.h"

namespace mc::test {

// What Slicer's application sets up for a module logic: the scene with its data IO and cache
// managers (bundles, .mrb and .seq.mrb, are unpacked into the cache folder), the application logic
// (selection node, module logic registry) and the Sequences module's logic (browser node class,
// proxy nodes).
struct SlicerWorld {
  ScratchDir cacheFolder;
  vtkNew<vtkCacheManager> cache;
  vtkNew<vtkDataIOManager> io;
  vtkNew<vtkMRMLScene> scene;
  vtkNew<vtkMRMLApplicationLogic> app;
  vtkNew<vtkSlicerSequencesLogic> sequences;
  vtkNew<vtkSlicerMotionCorrectionLogic> logic;
  SlicerWorld() {
    cache->SetRemoteCacheDirectory(cacheFolder.file("").c_str());
    io->SetCacheManager(cache);
    scene->SetCacheManager(cache);
    scene->SetDataIOManager(io);
    app->SetMRMLScene(scene);
    sequences->SetMRMLApplicationLogic(app);
    sequences->SetMRMLScene(scene);
    app->SetModuleLogic("Sequences", sequences);
    logic->SetMRMLApplicationLogic(app);
    logic->SetMRMLScene(scene);
  }
  ~SlicerWorld() {
    logic->SetMRMLScene(nullptr);
    sequences->SetMRMLScene(nullptr);
    app->SetMRMLScene(nullptr);
  }
};

// IDs of every node of a scene, in scene order.
inline std::vector<std::string> nodeIDs(vtkMRMLScene* scene) {
  std::vector<std::string> ids;
  for (int i = 0; i < scene->GetNumberOfNodes(); ++i) ids.push_back(scene->GetNthNode(i)->GetID());
  return ids;
}

// Every cell of a table node, as text (what a user sees and what is saved).
inline std::vector<std::vector<std::string>> tableCells(vtkMRMLTableNode* node) {
  std::vector<std::vector<std::string>> cells;
  vtkTable* t = node->GetTable();
  for (vtkIdType r = 0; r < t->GetNumberOfRows(); ++r) {
    std::vector<std::string> row;
    for (vtkIdType c = 0; c < t->GetNumberOfColumns(); ++c) row.push_back(t->GetValue(r, c).ToString());
    cells.push_back(row);
  }
  return cells;
}

inline std::map<std::string, std::string> references(vtkMRMLScriptedModuleNode* node) {
  std::map<std::string, std::string> refs;
  for (const char* role : {"InputNode", "OutputSequence", "TransformSequence", "MotionTable", "MotionChart",
                           "DisplacementChart", "MeanVolume"}) {
    const char* id = node->GetNodeReferenceID(role);
    refs[role] = id ? id : "";
  }
  return refs;
}

inline double largestDifference(vtkMatrix4x4* a, const Matrix4& b) {
  double d = 0;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) d = std::max(d, std::fabs(a->GetElement(r, c) - b(r, c)));
  return d;
}

inline double largestDifference(vtkMatrix4x4* a, vtkMatrix4x4* b) {
  double d = 0;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) d = std::max(d, std::fabs(a->GetElement(r, c) - b->GetElement(r, c)));
  return d;
}

inline const float* voxels(vtkMRMLNode* node) {
  auto* volume = vtkMRMLScalarVolumeNode::SafeDownCast(node);
  return volume && volume->GetImageData() ? static_cast<const float*>(volume->GetImageData()->GetScalarPointer())
                                          : nullptr;
}

// EPI-like phantom run with known motion (3 x 3 x 3.5 mm, the README's accuracy setting) on a
// smaller grid than the example's, so that a run takes a second.
inline SyntheticRun phantomRun(int frames, std::uint64_t seed = 3, double obliqueDeg = 0, double tr = 2.0) {
  PhantomOptions p;
  p.size = {56, 56, 30};
  p.obliqueDeg = obliqueDeg;
  p.repetitionTime = tr;
  TrajectoryOptions t;
  t.frames = frames;
  t.seed = seed;
  return generatePhantomRun(p, realisticTrajectory(t));
}

// The usual start of a run test: a phantom run written as dir/bold.nii and loaded as the input sequence.
inline vtkMRMLSequenceNode* loadPhantomSequence(SlicerWorld& w, ScratchDir& dir, int frames, std::uint64_t seed = 3) {
  const std::string path = dir.file("bold.nii");
  writeVolumeSeries(path, phantomRun(frames, seed).run);
  return w.logic->LoadRunAsSequence(path.c_str());
}

// Calls fn on every event `event` of `object` while alive (with the event's call data).
class EventObserver {
public:
  EventObserver(vtkObject* object, unsigned long event, std::function<void(void*)> fn)
      : object_(object), fn_(std::move(fn)) {
    callback_->SetClientData(this);
    callback_->SetCallback([](vtkObject*, unsigned long, void* self, void* callData) {
      static_cast<EventObserver*>(self)->fn_(callData);
    });
    tag_ = object_->AddObserver(event, callback_);
  }
  EventObserver(vtkObject* object, unsigned long event, std::function<void()> fn)
      : EventObserver(object, event, std::function<void(void*)>([fn](void*) { fn(); })) {}
  ~EventObserver() { object_->RemoveObserver(tag_); }
  EventObserver(const EventObserver&) = delete;
  EventObserver& operator=(const EventObserver&) = delete;

private:
  vtkSmartPointer<vtkObject> object_;
  std::function<void(void*)> fn_;
  vtkNew<vtkCallbackCommand> callback_;
  unsigned long tag_ = 0;
};

}  // namespace mc::test
