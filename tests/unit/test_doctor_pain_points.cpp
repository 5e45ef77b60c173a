// The doctor checks that compare the stack with the host, one per pain point of the reference list
// they detect: --tensor-parallel-size / CUDA_VISIBLE_DEVICES beyond the GPUs found, an image built
// for a newer CUDA than the driver's (Error 803), and bind sources missing on the host.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "doctor/check.h"
#include "doctor/checks_gpu.h"
#include "doctor/facts.h"
#include "doctor/runner.h"
#include "test_doctor_fixture.h"

namespace edgecrew {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

stack::Service vllm(std::vector<std::string> command, std::string visible = "") {
  stack::Service s;
  s.name = "vllm";
  s.image = "localhost/edgecrew-test-no-such-image:1";
  s.command = std::move(command);
  if (!visible.empty()) s.environment["CUDA_VISIBLE_DEVICES"] = visible;
  stack::Device gpu;
  gpu.cdi_name = "nvidia.com/gpu=all";
  s.devices.push_back(gpu);
  return s;
}

TEST(DoctorGpuAsk, TensorParallelAndVisibleDevicesBeyondTheGpusFound) {
  auto two_on_one = doctor::gpu_ask(vllm({"--tensor-parallel-size", "2"}, "0,1"), 1);
  EXPECT_EQ(two_on_one.tensor_parallel, "2");
  EXPECT_EQ(two_on_one.visible_devices, "0,1");
  EXPECT_THAT(two_on_one.problems,
              ::testing::ElementsAre("--tensor-parallel-size 2 but 1 GPU found",
                                     "CUDA_VISIBLE_DEVICES names GPU 1, the host has 1 (indexes 0 "
                                     "to 0)"));

  // The = form, and fewer visible devices than the tensor-parallel size.
  auto narrow = doctor::gpu_ask(vllm({"--tensor-parallel-size=2"}, "0"), 2);
  EXPECT_THAT(narrow.problems,
              ::testing::ElementsAre("--tensor-parallel-size 2 but CUDA_VISIBLE_DEVICES lists 1"));

  EXPECT_THAT(doctor::gpu_ask(vllm({"--tensor-parallel-size", "2"}, "0,1"), 2).problems, IsEmpty());
  // A UUID is not an index: nothing to compare.
  EXPECT_THAT(doctor::gpu_ask(vllm({}, "GPU-8a1b"), 1).problems, IsEmpty());
  auto none = doctor::gpu_ask(vllm({"--model", "m"}), 1);
  EXPECT_TRUE(none.tensor_parallel.empty() && none.visible_devices.empty());
}

TEST(DoctorCudaImage, ImageNewerThanTheDriverIsError803) {
  EXPECT_EQ(doctor::image_cuda_version({"PATH=/usr/bin", "CUDA_VERSION=12.8.1"}), "12.8.1");
  EXPECT_FALSE(doctor::image_cuda_version({"PATH=/usr/bin", "NV_CUDA_LIB_VERSION=12.8.1"}));

  auto major = doctor::compare_cuda("12.4", "vllm:x", "13.0.0");
  EXPECT_EQ(major.verdict, doctor::Verdict::fail);
  EXPECT_THAT(major.summary, HasSubstr("Error 803"));
  EXPECT_THAT(major.fix, HasSubstr("supports CUDA 13.0 or newer"));
  EXPECT_EQ(doctor::compare_cuda("11.8", "x", "12.1.0").verdict, doctor::Verdict::fail);

  auto minor = doctor::compare_cuda("12.4", "vllm:x", "12.8.1");
  EXPECT_EQ(minor.verdict, doctor::Verdict::warn);
  EXPECT_THAT(minor.summary, HasSubstr("minor-version compatibility"));

  EXPECT_EQ(doctor::compare_cuda("12.4", "x", "12.4.1").verdict, doctor::Verdict::pass);
  EXPECT_EQ(doctor::compare_cuda("12.4", "x", "11.8.0").verdict, doctor::Verdict::pass);
  EXPECT_EQ(doctor::compare_cuda("", "x", "12.4.1").verdict, doctor::Verdict::skip);
}

// The outcome of one check, run with `st` as the stack and only that check's section (a copy: the
// report it comes from does not outlive the call).
doctor::Outcome run_with(const testing::FixtureHost& host, stack::Stack st, const std::string& id) {
  auto in = host.inputs();
  in.stack = std::make_shared<const stack::Stack>(std::move(st));
  doctor::Selection only;
  only.only_sections = {id.substr(0, id.find('.'))};
  return testing::finding(host.run(in, only), id).outcome;
}

// gpu-host has 2 GPUs: a stack pinned to 4 fails, one asking for 2 passes.
TEST(DoctorStackCount, FixtureGpuHostWithAStackPinnedToMoreGpus) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  stack::Stack four;
  four.services.push_back(vllm({"--tensor-parallel-size", "4"}, "0,1,2,3"));
  const auto bad = run_with(host, four, "gpu.stack-count");
  EXPECT_EQ(bad.verdict, doctor::Verdict::fail);
  EXPECT_THAT(bad.summary, HasSubstr("vllm: --tensor-parallel-size 4 but 2 GPUs found"));
  EXPECT_THAT(bad.summary, HasSubstr("CUDA_VISIBLE_DEVICES names GPU 3"));
  EXPECT_THAT(bad.fix, HasSubstr("--tensor-parallel-size 2 and CUDA_VISIBLE_DEVICES=0,1"));

  stack::Stack two;
  two.services.push_back(vllm({"--tensor-parallel-size", "2"}, "0,1"));
  const auto good = run_with(host, two, "gpu.stack-count");
  EXPECT_EQ(good.verdict, doctor::Verdict::pass) << good.summary;

  // Without NVML (--root) the driver's CUDA version is not known.
  const auto cuda = run_with(host, two, "gpu.cuda-image");
  EXPECT_EQ(cuda.verdict, doctor::Verdict::skip);
  EXPECT_THAT(cuda.summary, HasSubstr("NVML"));
}

TEST(DoctorStackCount, FixtureHostWithoutGpuSkips) {
  EDGECREW_FIXTURE_HOST(host, "nogpu");
  stack::Stack st;
  st.services.push_back(vllm({"--tensor-parallel-size", "2"}));
  const auto f = run_with(host, st, "gpu.stack-count");
  EXPECT_EQ(f.verdict, doctor::Verdict::skip);
  EXPECT_THAT(f.summary, HasSubstr("no NVIDIA GPU found"));
}

stack::Mount bind(std::string source, bool create) {
  stack::Mount m;
  m.type = stack::MountType::bind;
  m.source = std::move(source);
  m.target = "/data";
  m.create_host_path = create;
  return m;
}

// Bind sources are looked up under the root: /etc exists in the fixture, /home/ia does not.
TEST(DoctorBindSources, FixtureHostMissingSourcesFailOrWarn) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  stack::Service app;
  app.name = "app";
  app.image = "localhost/app:1";
  app.mounts = {bind("/etc", false), bind("/home/ia/models", false)};
  stack::Stack strict;
  strict.services.push_back(app);
  const auto f = run_with(host, strict, "storage.bind-sources");
  EXPECT_EQ(f.verdict, doctor::Verdict::fail);
  EXPECT_THAT(f.summary, HasSubstr("/home/ia/models (app)"));
  EXPECT_THAT(f.summary, Not(HasSubstr("/etc")));
  EXPECT_THAT(f.evidence, SizeIs(2));
  EXPECT_THAT(f.fix, HasSubstr("$ mkdir -p /home/ia/models"));

  app.mounts = {bind("/etc", true), bind("/home/ia/models", true)};
  stack::Stack lenient;
  lenient.services.push_back(app);
  EXPECT_EQ(run_with(host, lenient, "storage.bind-sources").verdict, doctor::Verdict::warn);

  app.mounts = {bind("/etc", false)};
  stack::Stack fine;
  fine.services.push_back(app);
  EXPECT_EQ(run_with(host, fine, "storage.bind-sources").verdict, doctor::Verdict::pass);

  stack::Stack none;
  none.services.push_back(vllm({}));
  EXPECT_EQ(run_with(host, none, "storage.bind-sources").verdict, doctor::Verdict::skip);
}

}  // namespace
}  // namespace edgecrew
