// GoogleTest with a QCoreApplication: the logic's Run() and the engine deliver frame results through
// queued signals, which only a real Qt event loop carries.
#include <QCoreApplication>

#include <gtest/gtest.h>

#include <itkFactoryRegistration.h>

int main(int argc, char** argv)
{
  QCoreApplication app(argc, argv);
  // What Slicer's application does at start-up (qSlicerCoreApplication): register ITK's image and
  // transform IO factories, which MRML's storage nodes (transforms as .h5) need to save a scene.
  itk::itkFactoryRegistration();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
