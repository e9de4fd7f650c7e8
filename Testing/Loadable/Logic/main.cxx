// GoogleTest with a QCoreApplication: the logic's Run() and the engine deliver frame results through
// queued signals, which only a real Qt event loop carries.
#include <QCoreApplication>

#include <gtest/gtest.h>

int main(int argc, char** argv)
{
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
