#include "MpiLaunch.h"

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

using namespace mc;

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }
std::string after(const std::vector<std::string>& v, const std::string& s) {
  auto it = std::find(v.begin(), v.end(), s);
  return it == v.end() || it + 1 == v.end() ? std::string() : *(it + 1);
}
}  // namespace

TEST(MpiLaunch, CommandLineCarriesRanksThreadsHostsAndWorker) {
  MpiOptions o;
  o.ranks = 4;
  o.threadsPerRank = 3;
  o.hosts = {"node1:2", "node2:2"};
  o.extraArguments = {"--bind-to", "core", "--map-by", "core"};
  const auto a = mpiCommandLine(o, "/usr/bin/mpirun", "/opt/bin/MotionCorrectionMPI", "/tmp/job.txt");
  EXPECT_EQ(a.front(), "/usr/bin/mpirun");
  EXPECT_EQ(after(a, "-n"), "4");
  EXPECT_EQ(after(a, "--host"), "node1:2,node2:2");
  EXPECT_EQ(after(a, "-x"), "OMP_NUM_THREADS=3");
  EXPECT_EQ(after(a, "--bind-to"), "core");
  EXPECT_EQ(has(a, "--allow-run-as-root"), runningAsRoot());
  const std::vector<std::string> tail(a.end() - 4, a.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"/opt/bin/MotionCorrectionMPI", "--job", "/tmp/job.txt", "--progress-json"}));
  // mpirun's own options come before the program.
  EXPECT_LT(std::find(a.begin(), a.end(), "--bind-to"), std::find(a.begin(), a.end(), "/opt/bin/MotionCorrectionMPI"));
}

TEST(MpiLaunch, HostfileAndOversubscription) {
  MpiOptions o;
  o.ranks = int(std::thread::hardware_concurrency()) + 1;
  o.hostfile = "/etc/hosts.mpi";
  auto a = mpiCommandLine(o, "mpirun", "w", "j");
  EXPECT_EQ(after(a, "--hostfile"), "/etc/hosts.mpi");
  // With hosts, slots are the hostfile's business; locally, more ranks than cores need --oversubscribe.
  EXPECT_EQ(has(a, "--oversubscribe"), runningAsRoot());
  o.hostfile.clear();
  a = mpiCommandLine(o, "mpirun", "w", "j");
  EXPECT_TRUE(has(a, "--oversubscribe"));
  o.ranks = 0;
  EXPECT_THROW(mpiCommandLine(o, "mpirun", "w", "j"), std::invalid_argument);
}

TEST(MpiLaunch, ThreadsPerRankKeepRanksTimesThreadsWithinTheCores) {
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  for (int ranks : {1, 2, 3, 64}) {
    MpiOptions o;
    o.ranks = ranks;
    const int t = threadsPerRank(o);
    EXPECT_GE(t, 1);
    if (ranks <= cores) EXPECT_LE(ranks * t, cores);
  }
}

TEST(MpiLaunch, StderrSummaryNamesTheRankThatDied) {
  const std::string openMpi =
      "MotionCorrectionMPI: rank 1 aborting (MC_MPI_TEST_ABORT_RANK)\n"
      "--------------------------------------------------------------------------\n"
      "Primary job  terminated normally, but 1 process returned\n"
      "a non-zero exit code. Per user-direction, the job has been aborted.\n"
      "--------------------------------------------------------------------------\n"
      "--------------------------------------------------------------------------\n"
      "mpirun noticed that process rank 1 with PID 0 on node host exited on signal 6 (Aborted).\n"
      "--------------------------------------------------------------------------\n";
  const std::string s = summarizeMpiStderr(openMpi);
  EXPECT_NE(s.find("process rank 1"), std::string::npos) << s;
  EXPECT_NE(s.find("signal 6"), std::string::npos) << s;
  EXPECT_EQ(s.find('\n'), std::string::npos);
  const std::string plain = summarizeMpiStderr("a\nb\n\nc: failed\n");
  EXPECT_EQ(plain, "a | b | c: failed");
  const std::string msg = mpiFailureMessage(134, 0, "", openMpi);
  EXPECT_NE(msg.find("exit code 134"), std::string::npos) << msg;
  EXPECT_EQ(mpiFailureMessage(1, 0, "run.nii: cannot read", openMpi), "run.nii: cannot read");
}

TEST(MpiLaunch, TextTailKeepsTheEnd) {
  TextTail t(8);
  t.append("0123456789", 10);
  t.append("abc", 3);
  EXPECT_EQ(t.text(), "56789abc");
}
