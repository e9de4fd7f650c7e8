#include "vtkSlicerMotionCorrectionSceneSnapshot.h"

#include "vtkSlicerMotionCorrectionParameters.h"

// Slicer
#include <vtkMRMLScene.h>
#include <vtkMRMLScriptedModuleNode.h>
#include <vtkMRMLTableNode.h>

// VTK
#include <vtkTable.h>

namespace
{
vtkMRMLScriptedModuleNode* parameterNode(vtkMRMLScene* scene)
{
  const char* name = vtkSlicerMotionCorrectionParameters::GetModuleName();
  return vtkMRMLScriptedModuleNode::SafeDownCast(scene->GetSingletonNode(name, "vtkMRMLScriptedModuleNode"));
}
} // namespace

void vtkSlicerMotionCorrectionSceneSnapshot::Take(vtkMRMLScene* scene)
{
  if (this->Pending || !scene)
  {
    return;
  }
  *this = vtkSlicerMotionCorrectionSceneSnapshot();
  this->Pending = true;
  for (int i = 0; i < scene->GetNumberOfNodes(); ++i)
  {
    vtkMRMLNode* node = scene->GetNthNode(i);
    if (node && node->GetID())
    {
      this->NodeIDs.insert(node->GetID());
    }
  }
  vtkMRMLScriptedModuleNode* parameters = parameterNode(scene);
  if (!parameters)
  {
    return;
  }
  this->ParameterNodeID = parameters->GetID();
  for (const std::string& role : vtkSlicerMotionCorrectionParameters::GetReferenceRoles())
  {
    const char* id = parameters->GetNodeReferenceID(role.c_str());
    this->References[role] = id ? id : "";
  }
  vtkMRMLTableNode* table = vtkMRMLTableNode::SafeDownCast(parameters->GetNodeReference("MotionTable"));
  if (table && table->GetTable())
  {
    this->TableNodeID = table->GetID();
    this->Table = vtkSmartPointer<vtkTable>::New();
    this->Table->DeepCopy(table->GetTable());
  }
}

void vtkSlicerMotionCorrectionSceneSnapshot::MarkAddedSince(vtkMRMLScene* scene)
{
  if (!this->Pending || this->AddedKnown || !scene)
  {
    return;
  }
  for (int i = 0; i < scene->GetNumberOfNodes(); ++i)
  {
    vtkMRMLNode* node = scene->GetNthNode(i);
    if (node && node->GetID() && !this->NodeIDs.count(node->GetID()))
    {
      this->Added.push_back(node->GetID());
    }
  }
  this->AddedKnown = true;
}

void vtkSlicerMotionCorrectionSceneSnapshot::Commit()
{
  *this = vtkSlicerMotionCorrectionSceneSnapshot();
}

void vtkSlicerMotionCorrectionSceneSnapshot::Restore(vtkMRMLScene* scene)
{
  const vtkSlicerMotionCorrectionSceneSnapshot before = *this;
  this->Commit();
  if (!before.Pending || !scene)
  {
    return;
  }
  // The parameter node's references first, so that removing the new nodes below does not leave
  // references to removed nodes.
  if (vtkMRMLScriptedModuleNode* parameters =
        vtkMRMLScriptedModuleNode::SafeDownCast(scene->GetNodeByID(before.ParameterNodeID.c_str())))
  {
    const int wasModifying = parameters->StartModify();
    for (const auto& roleID : before.References)
    {
      parameters->SetNodeReferenceID(roleID.first.c_str(), roleID.second.empty() ? nullptr : roleID.second.c_str());
    }
    parameters->EndModify(wasModifying);
  }
  if (vtkMRMLTableNode* table = vtkMRMLTableNode::SafeDownCast(scene->GetNodeByID(before.TableNodeID.c_str())))
  {
    table->GetTable()->DeepCopy(before.Table);
    table->GetTable()->Modified(); // the table node and the plots follow
  }
  // The nodes this run added (table, charts, series, parameter node), newest first: series before
  // their charts. Nodes others added meanwhile (the user keeps working during a run) stay.
  for (auto it = before.Added.rbegin(); it != before.Added.rend(); ++it)
  {
    if (vtkMRMLNode* node = scene->GetNodeByID(it->c_str()))
    {
      scene->RemoveNode(node);
    }
  }
}
