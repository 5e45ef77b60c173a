// The OpenAI (vLLM) probe against a FIXTURE that answers /health and /v1/models as vLLM does:
// ready, a model that is not served (naming those that are), /health not yet 200, an API key
// required.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "fixtures/vllm_fixture.h"
#include "probe/probe.h"

namespace edgecrew::probe {
namespace {

using namespace std::chrono_literals;
using edgecrew::testing::FixtureRequest;
using edgecrew::testing::FixtureResponse;
using edgecrew::testing::k_tinyllama;
using edgecrew::testing::VllmFixture;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

stack::Probe openai_probe(const std::string& url, const std::string& model) {
  stack::Probe p;
  p.kind = stack::Probe::Kind::openai;
  p.url = url;
  p.model = model;
  return p;
}

std::vector<std::string> paths(const VllmFixture& vllm) {
  std::vector<std::string> out;
  for (const auto& r : vllm.http.requests()) out.push_back(r.method + " " + r.target);
  return out;
}

TEST(VllmFixtureOpenAiProbe, ReadyWhenHealthyAndServingTheModel) {
  VllmFixture vllm;
  auto result = run_probe(openai_probe(vllm.base_url(), k_tinyllama), 2s);
  EXPECT_TRUE(result.ready) << result.summary;
  EXPECT_EQ(result.summary, "openai " + vllm.base_url() + ": serves \"" + k_tinyllama + "\"");
  EXPECT_THAT(paths(vllm), ElementsAre("GET /health", "GET /v1/models"));
}

TEST(VllmFixtureOpenAiProbe, ATrailingSlashInTheUrlChangesNothing) {
  VllmFixture vllm;
  auto result = run_probe(openai_probe(vllm.base_url() + "/", k_tinyllama), 2s);
  EXPECT_TRUE(result.ready) << result.summary;
  EXPECT_THAT(paths(vllm), ElementsAre("GET /health", "GET /v1/models"));
}

TEST(VllmFixtureOpenAiProbe, AModelNotServedIsModelMissingNamingTheServedOnes) {
  VllmFixture vllm;
  auto result = run_probe(openai_probe(vllm.base_url(), "meta-llama/Llama-3.1-8B-Instruct"), 2s);
  EXPECT_FALSE(result.ready);
  EXPECT_EQ(result.failure, ProbeFailure::model_missing);
  EXPECT_EQ(result.summary, "openai " + vllm.base_url() +
                                ": model \"meta-llama/Llama-3.1-8B-Instruct\" is not served; the "
                                "server serves \"" +
                                k_tinyllama +
                                "\" (the probe's model, VLLM_MODEL, must be one of these names)");
}

TEST(VllmFixtureOpenAiProbe, WithoutAConfiguredModelItListsWhatIsServed) {
  VllmFixture vllm;
  auto result = run_probe(openai_probe(vllm.base_url(), ""), 2s);
  EXPECT_TRUE(result.ready);
  EXPECT_THAT(result.summary, HasSubstr("serves \"" + k_tinyllama + "\""));
}

TEST(VllmFixtureOpenAiProbe, HealthNot200IsHttpStatusAndModelsIsNotAsked) {
  VllmFixture vllm;
  vllm.health_status = 503;
  auto result = run_probe(openai_probe(vllm.base_url(), k_tinyllama), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::http_status);
  EXPECT_EQ(result.summary, "openai " + vllm.base_url() + ": " + vllm.http.url("/health") +
                                " answered HTTP 503, expected 200");
  EXPECT_THAT(paths(vllm), ElementsAre("GET /health"));
}

TEST(VllmFixtureOpenAiProbe, AnApiKeyRequirementIsUnauthorized) {
  VllmFixture vllm;
  vllm.http.route("GET", "/v1/models", [](const FixtureRequest&) {
    return edgecrew::testing::json_response(401, R"({"error":"Unauthorized"})");
  });
  auto result = run_probe(openai_probe(vllm.base_url(), k_tinyllama), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::unauthorized);
  EXPECT_THAT(result.summary, HasSubstr("--api-key"));
}

TEST(VllmFixtureOpenAiProbe, SomethingElseThanAModelListIsProtocol) {
  VllmFixture vllm;
  vllm.http.route("GET", "/v1/models", [](const FixtureRequest&) {
    return FixtureResponse{200, {}, "<html>hello</html>"};
  });
  auto result = run_probe(openai_probe(vllm.base_url(), k_tinyllama), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::protocol);
  EXPECT_THAT(result.summary, HasSubstr("not an OpenAI model list"));
}

TEST(VllmFixtureOpenAiProbe, NothingListeningIsRefused) {
  edgecrew::testing::SocketServer not_listening(edgecrew::testing::stall, false);
  auto url = "http://127.0.0.1:" + std::to_string(not_listening.port()) + "/v1";
  auto result = run_probe(openai_probe(url, k_tinyllama), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::refused);
}

}  // namespace
}  // namespace edgecrew::probe
