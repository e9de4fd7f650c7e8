#ifndef __vtkSlicerMotionCorrectionSceneSnapshot_h
#define __vtkSlicerMotionCorrectionSceneSnapshot_h

// What the scene looked like before a run, so that a cancelled or failed run can put it back: the
// nodes present, the parameter node's references and the motion table's contents. Only the nodes
// the run itself added are removed on restore (MarkAddedSince), not nodes the user added while the
// run went on.
#include "vtkSlicerMotionCorrectionModuleLogicExport.h"

#include <vtkSmartPointer.h>

#include <map>
#include <set>
#include <string>
#include <vector>

class vtkMRMLScene;
class vtkTable;

class VTK_SLICER_MOTIONCORRECTION_MODULE_LOGIC_EXPORT vtkSlicerMotionCorrectionSceneSnapshot
{
public:
  /// Takes the snapshot (the parameter node is the module's singleton, if any) unless one is pending.
  void Take(vtkMRMLScene* scene);
  /// Every node new since Take counts as the run's own (call while nothing else can add nodes:
  /// right after the logic created its outputs, synchronously). Only the first call counts.
  void MarkAddedSince(vtkMRMLScene* scene);
  /// Puts the scene back (references, table rows, removes the run's own nodes, newest first) and
  /// forgets the snapshot. Does nothing when none is pending.
  void Restore(vtkMRMLScene* scene);
  /// The run completed: forget the snapshot.
  void Commit();
  bool IsPending() const { return this->Pending; }

private:
  bool Pending = false;
  std::set<std::string> NodeIDs;
  bool AddedKnown = false;
  std::vector<std::string> Added;
  std::string ParameterNodeID;
  std::map<std::string, std::string> References; // role -> node ID ("" for none)
  std::string TableNodeID;
  vtkSmartPointer<vtkTable> Table;
};

#endif
