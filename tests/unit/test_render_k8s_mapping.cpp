// How each Compose key becomes Kubernetes: small stacks, one idea per test.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "render/k8s_names.h"
#include "render/k8s_render.h"
#include "render/k8s_secrets.h"
#include "stack/normalize.h"
#include "stack_test_support.h"
#include "util/yaml_emit.h"

namespace edgecrew::render {
namespace {

using json = nlohmann::ordered_json;
using stack::test::formatted;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class K8sMapping : public ::testing::Test {
 protected:
  // Loads `text` (project "app"); `environment` feeds its variables.
  void load(const std::string& text, std::map<std::string, std::string> environment = {}) {
    auto options = stack::test::options_for_tests();
    options.environment = std::move(environment);
    auto result = stack::test::load_text(text, options);
    ASSERT_TRUE(result.stack.has_value())
        << ::testing::PrintToString(formatted(result.diagnostics));
    m_stack = std::move(*result.stack);
    m_services = stack::enabled_services(m_stack, {});
  }

  std::vector<K8sDocument> docs() const { return k8s_documents(m_stack, m_services, m_options); }

  std::vector<std::string> kinds() const {
    std::vector<std::string> out;
    for (const auto& d : docs()) {
      out.push_back(d.object["kind"].get<std::string>() + " " +
                    d.object["metadata"]["name"].get<std::string>());
    }
    return out;
  }

  K8sDocument doc(const std::string& kind, const std::string& name) const {
    for (auto& d : docs()) {
      if (d.object["kind"] == kind && d.object["metadata"]["name"] == name) return d;
    }
    ADD_FAILURE() << "no " << kind << " " << name << " in " << ::testing::PrintToString(kinds());
    return {json::object(), {}};
  }

  // The Deployment or StatefulSet of `service`, with its notes.
  K8sDocument workload(const std::string& service) const {
    for (auto& d : docs()) {
      if ((d.object["kind"] == "Deployment" || d.object["kind"] == "StatefulSet") &&
          d.object["metadata"]["name"] == service)
        return d;
    }
    ADD_FAILURE() << "no workload " << service;
    return {json::object(), {}};
  }

  json pod(const std::string& service) const {
    return workload(service).object["spec"]["template"]["spec"];
  }
  json container(const std::string& service) const { return pod(service)["containers"][0]; }

  stack::Stack m_stack;
  std::vector<const stack::Service*> m_services;
  K8sOptions m_options;
};

// --- workloads and volumes

TEST_F(K8sMapping, AStatelessServiceIsADeploymentReplacedByRecreation) {
  load("services:\n  web:\n    image: nginx\n");
  EXPECT_THAT(kinds(), ElementsAre("Deployment web"));
  json d = workload("web").object;
  EXPECT_EQ(d["apiVersion"], "apps/v1");
  EXPECT_EQ(d["spec"]["replicas"], 1);
  EXPECT_EQ(d["spec"]["strategy"], json::parse(R"({"type": "Recreate"})"));
  EXPECT_EQ(
      d["spec"]["selector"]["matchLabels"],
      json::parse(R"({"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "app"})"));
  EXPECT_EQ(d["metadata"]["labels"],
            json::parse(R"({"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "app",
                            "app.kubernetes.io/managed-by": "edgecrew"})"));
  EXPECT_EQ(d["spec"]["template"]["metadata"]["labels"], d["metadata"]["labels"]);
  EXPECT_EQ(d["spec"]["template"]["metadata"]["annotations"]["io.edgecrew.spec-hash"],
            stack::spec_hash(*m_stack.find("web"), m_stack));
  EXPECT_EQ(container("web"), json::parse(R"({"name": "web", "image": "nginx"})"));
}

TEST_F(K8sMapping, AServiceWithItsOwnNamedVolumeIsAStatefulSetWithAHeadlessService) {
  load(R"(services:
  db:
    image: postgres
    volumes: [data:/var/lib/postgresql/data, data:/backup:ro]
volumes:
  data:
)");
  EXPECT_THAT(kinds(), ElementsAre("Service db-headless", "StatefulSet db"));
  json sts = workload("db").object;
  EXPECT_EQ(sts["spec"]["serviceName"], "db-headless");
  EXPECT_FALSE(sts["spec"].contains("strategy"));
  EXPECT_EQ(sts["spec"]["volumeClaimTemplates"], json::parse(R"([{
      "metadata": {"name": "data", "labels": {"app.kubernetes.io/name": "db",
          "app.kubernetes.io/part-of": "app", "app.kubernetes.io/managed-by": "edgecrew"}},
      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}])"));
  // The template provides the pod volume; the same volume mounted twice is one claim.
  EXPECT_FALSE(pod("db").contains("volumes"));
  EXPECT_EQ(container("db")["volumeMounts"],
            json::parse(R"([{"name": "data", "mountPath": "/var/lib/postgresql/data"},
                            {"name": "data", "mountPath": "/backup", "readOnly": true}])"));
  json headless = doc("Service", "db-headless").object["spec"];
  EXPECT_EQ(headless["clusterIP"], "None");
  EXPECT_FALSE(headless.contains("ports"));
}

TEST_F(K8sMapping, AVolumeSharedByServicesIsOneReadWriteManyClaim) {
  load(R"(services:
  a:
    image: busybox
    volumes: [shared:/data]
  b:
    image: busybox
    volumes: [shared:/in:ro, own:/own]
  c:
    image: busybox
    profiles: [extra]
    volumes: [lonely:/x, both:/y]
  d:
    image: busybox
    volumes: [both:/z]
volumes:
  shared:
  own:
  lonely:
  both:
)");
  EXPECT_THAT(kinds(),
              ElementsAre("PersistentVolumeClaim app-both", "PersistentVolumeClaim app-shared",
                          "Service b-headless", "Deployment a", "StatefulSet b", "Deployment d"));
  json claim = doc("PersistentVolumeClaim", "app-shared").object;
  EXPECT_EQ(claim["spec"], json::parse(R"({"accessModes": ["ReadWriteMany"],
      "resources": {"requests": {"storage": "1Gi"}}})"));
  EXPECT_EQ(
      claim["metadata"]["labels"],
      json::parse(
          R"({"app.kubernetes.io/part-of": "app", "app.kubernetes.io/managed-by": "edgecrew"})"));
  EXPECT_EQ(
      pod("a")["volumes"],
      json::parse(R"([{"name": "shared", "persistentVolumeClaim": {"claimName": "app-shared"}}])"));
  EXPECT_EQ(
      pod("b")["volumes"],
      json::parse(R"([{"name": "shared", "persistentVolumeClaim": {"claimName": "app-shared"}}])"));
  EXPECT_EQ(workload("b").object["spec"]["volumeClaimTemplates"][0]["metadata"]["name"], "own");
  // "both" is shared with a service whose profile is off: still a claim, so that enabling the
  // profile later does not move its data.
  EXPECT_EQ(pod("d")["volumes"][0]["persistentVolumeClaim"]["claimName"], "app-both");
}

TEST_F(K8sMapping, AnExternalVolumeIsAClaimThatMustExist) {
  load(R"(services:
  a:
    image: busybox
    volumes: [models:/models]
volumes:
  models:
    external: true
    name: team-models
)");
  EXPECT_THAT(kinds(), ElementsAre("Deployment a"));
  EXPECT_EQ(pod("a")["volumes"],
            json::parse(
                R"([{"name": "models", "persistentVolumeClaim": {"claimName": "team-models"}}])"));
}

TEST_F(K8sMapping, AVolumeHoldingModelsAsksForMoreStorage) {
  load(R"(services:
  llm:
    image: vllm
    volumes: [cache:/root/.cache/huggingface]
  a:
    image: busybox
    volumes: [hub:/srv/huggingface/hub]
  b:
    image: busybox
    volumes: [hub:/hub]
volumes:
  cache:
  hub:
)");
  EXPECT_EQ(k_storage_request, "1Gi");
  EXPECT_EQ(k_model_storage_request, "20Gi");
  EXPECT_EQ(workload("llm").object["spec"]["volumeClaimTemplates"][0]["spec"]["resources"],
            json::parse(R"({"requests": {"storage": "20Gi"}})"));
  EXPECT_EQ(
      doc("PersistentVolumeClaim", "app-hub").object["spec"]["resources"]["requests"]["storage"],
      "20Gi");
}

TEST_F(K8sMapping, BindsTmpfsAnonymousVolumesAndShmArePodVolumes) {
  load(R"(services:
  a:
    image: busybox
    shm_size: 256m
    volumes:
      - /srv/data:/data
      - type: bind
        source: /etc/app
        target: /etc/app
        read_only: true
        bind: {create_host_path: false}
      - type: tmpfs
        target: /scratch
      - /cache
)");
  EXPECT_EQ(pod("a")["volumes"], json::parse(R"([
      {"name": "host-1", "hostPath": {"path": "/srv/data", "type": "DirectoryOrCreate"}},
      {"name": "host-2", "hostPath": {"path": "/etc/app", "type": "Directory"}},
      {"name": "tmpfs-1", "emptyDir": {"medium": "Memory"}},
      {"name": "anonymous-1", "emptyDir": {}},
      {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}}])"));
  EXPECT_EQ(container("a")["volumeMounts"], json::parse(R"([
      {"name": "host-1", "mountPath": "/data"},
      {"name": "host-2", "mountPath": "/etc/app", "readOnly": true},
      {"name": "tmpfs-1", "mountPath": "/scratch"},
      {"name": "anonymous-1", "mountPath": "/cache"},
      {"name": "dshm", "mountPath": "/dev/shm"}])"));
  EXPECT_THAT(workload("a").notes,
              ElementsAre(HasSubstr("/srv/data is a hostPath volume"),
                          HasSubstr("/etc/app is a hostPath volume"),
                          HasSubstr("restart: no becomes restartPolicy Always")));
  EXPECT_EQ(workload("a").object["kind"], "Deployment");
}

// --- ports and Services

TEST_F(K8sMapping, ContainerPortsMakeAClusterIpService) {
  load(R"(services:
  web:
    image: nginx
    ports: ["8080:80", "443", "5353:53/udp", "8081:80"]
    x-edgecrew:
      probe:
        http: {url: "http://127.0.0.1:8080/healthz?full=1"}
)");
  EXPECT_THAT(kinds(), ElementsAre("Service web", "Deployment web"));
  EXPECT_EQ(doc("Service", "web").object["spec"], json::parse(R"({"type": "ClusterIP",
      "selector": {"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "app"},
      "ports": [{"name": "tcp-80", "port": 80, "targetPort": 80, "protocol": "TCP"},
                {"name": "tcp-443", "port": 443, "targetPort": 443, "protocol": "TCP"},
                {"name": "udp-53", "port": 53, "targetPort": 53, "protocol": "UDP"}]})"));
  EXPECT_EQ(container("web")["ports"], json::parse(R"([{"containerPort": 80, "protocol": "TCP"},
                            {"containerPort": 443, "protocol": "TCP"},
                            {"containerPort": 53, "protocol": "UDP"}])"));
  // The probe's URL names the host port; the kubelet probes the container port, at the pod IP.
  EXPECT_EQ(container("web")["readinessProbe"]["httpGet"],
            json::parse(R"({"path": "/healthz?full=1", "port": 80})"));
  EXPECT_THAT(workload("web").notes,
              Contains("published port 8080:80 is not mapped: reach it with kubectl port-forward "
                       "service/web 8080:80"));
}

TEST_F(K8sMapping, AHostNetworkServiceGetsTheProbePortsAndProbesAtTheProbeHost) {
  load(R"(services:
  cache:
    image: memcached
    network_mode: host
    ipc: host
    x-edgecrew:
      probe:
        tcp: {port: 11211}
  quiet:
    image: busybox
    network_mode: host
)");
  EXPECT_THAT(kinds(), ElementsAre("Service cache", "Deployment cache", "Deployment quiet"));
  EXPECT_EQ(
      doc("Service", "cache").object["spec"]["ports"],
      json::parse(
          R"([{"name": "tcp-11211", "port": 11211, "targetPort": 11211, "protocol": "TCP"}])"));
  json p = pod("cache");
  EXPECT_EQ(p["hostNetwork"], true);
  EXPECT_EQ(p["dnsPolicy"], "ClusterFirstWithHostNet");
  EXPECT_EQ(p["hostIPC"], true);
  EXPECT_EQ(container("cache")["ports"],
            json::parse(R"([{"containerPort": 11211, "protocol": "TCP"}])"));
  EXPECT_EQ(container("cache")["livenessProbe"]["tcpSocket"],
            json::parse(R"({"port": 11211, "host": "127.0.0.1"})"));
  EXPECT_FALSE(pod("quiet").contains("hostIPC"));
}

// --- probes

TEST_F(K8sMapping, EachNativeProbeKindHasItsHandler) {
  load(R"(services:
  h:
    image: x
    network_mode: host
    x-edgecrew: {probe: {http: {url: "https://localhost:8443/ready"}}}
  o:
    image: x
    ports: ["18000:8000"]
    x-edgecrew: {probe: {openai: {url: "http://127.0.0.1:18000/v1"}}}
  t:
    image: x
    ports: ["7000:7001"]
    x-edgecrew: {probe: {tcp: {host: 10.0.0.1, port: 7000}}}
  r:
    image: x
    network_mode: host
    x-edgecrew: {probe: {redis: {url: "redis://:pw12345@127.0.0.1"}}}
  nb:
    image: x
    network_mode: host
    x-edgecrew: {probe: {neo4j: {http: "http://127.0.0.1:7474", bolt: "bolt://127.0.0.1:7688", password: longenough}}}
  nh:
    image: x
    network_mode: host
    x-edgecrew: {probe: {neo4j: {http: "http://127.0.0.1:7475/db"}}}
)");
  auto handler = [&](const std::string& service) {
    json probe = container(service)["readinessProbe"];
    for (const char* k : {"periodSeconds", "timeoutSeconds", "failureThreshold"}) probe.erase(k);
    return probe;
  };
  EXPECT_EQ(handler("h"), json::parse(R"({"httpGet": {"path": "/ready", "port": 8443,
                                          "host": "localhost", "scheme": "HTTPS"}})"));
  EXPECT_EQ(handler("o"), json::parse(R"({"httpGet": {"path": "/health", "port": 8000}})"));
  EXPECT_EQ(handler("t"), json::parse(R"({"tcpSocket": {"port": 7001}})"));
  EXPECT_EQ(handler("r"), json::parse(R"({"tcpSocket": {"port": 6379, "host": "127.0.0.1"}})"));
  EXPECT_EQ(handler("nb"), json::parse(R"({"tcpSocket": {"port": 7688, "host": "127.0.0.1"}})"));
  EXPECT_EQ(handler("nh"),
            json::parse(R"({"httpGet": {"path": "/db", "port": 7475, "host": "127.0.0.1"}})"));
  // Both neo4j ports are Service ports.
  EXPECT_EQ(doc("Service", "nb").object["spec"]["ports"].size(), 2u);
  EXPECT_EQ(doc("Service", "nb").object["spec"]["ports"][0]["port"], 7474);
}

TEST_F(K8sMapping, ANativeProbeIsTheStartupReadinessAndLivenessProbe) {
  load(R"(services:
  web:
    image: x
    network_mode: host
    healthcheck: {test: ["CMD", "true"]}
    x-edgecrew: {probe: {tcp: {port: 80}}}
  llm:
    image: x
    network_mode: host
    x-edgecrew: {probe: {openai: {url: "http://127.0.0.1:8000/v1"}}}
)");
  json c = container("web");
  json handler = json::parse(R"({"port": 80, "host": "127.0.0.1"})");
  EXPECT_EQ(c["startupProbe"], (json{{"tcpSocket", handler},
                                     {"periodSeconds", 10},
                                     {"timeoutSeconds", 5},
                                     {"failureThreshold", 60}}));
  EXPECT_EQ(c["readinessProbe"], (json{{"tcpSocket", handler},
                                       {"periodSeconds", 5},
                                       {"timeoutSeconds", 5},
                                       {"failureThreshold", 3}}));
  EXPECT_EQ(c["livenessProbe"], (json{{"tcpSocket", handler},
                                      {"periodSeconds", 10},
                                      {"timeoutSeconds", 5},
                                      {"failureThreshold", 6}}));
  EXPECT_EQ(container("llm")["startupProbe"]["failureThreshold"], 180);
}

TEST_F(K8sMapping, AHealthcheckBecomesExecProbesWithItsTiming) {
  load(R"(services:
  cmd:
    image: x
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres"]
      interval: 5s
      timeout: 3s
      retries: 10
      start_period: 1m30s
  shell:
    image: x
    healthcheck:
      test: curl -fs http://localhost/ || exit 1
      interval: 1500ms
  off:
    image: x
    healthcheck: {disable: true}
)");
  json c = container("cmd");
  json exec = json::parse(R"({"command": ["pg_isready", "-U", "postgres"]})");
  EXPECT_EQ(c["readinessProbe"], (json{{"exec", exec},
                                       {"initialDelaySeconds", 90},
                                       {"periodSeconds", 5},
                                       {"timeoutSeconds", 3},
                                       {"failureThreshold", 10}}));
  EXPECT_EQ(c["livenessProbe"], c["readinessProbe"]);
  EXPECT_EQ(
      c["startupProbe"],
      (json{
          {"exec", exec}, {"periodSeconds", 10}, {"timeoutSeconds", 3}, {"failureThreshold", 60}}));
  json s = container("shell")["readinessProbe"];
  EXPECT_EQ(s["exec"]["command"],
            json::parse(R"(["/bin/sh", "-c", "curl -fs http://localhost/ || exit 1"])"));
  EXPECT_EQ(s["periodSeconds"], 2);  // rounded up: Kubernetes counts whole seconds
  EXPECT_FALSE(s.contains("initialDelaySeconds"));
  EXPECT_FALSE(container("off").contains("readinessProbe"));
  EXPECT_FALSE(container("off").contains("startupProbe"));
}

// --- secrets

TEST_F(K8sMapping, SecretsReachTheContainerOnlyByReference) {
  load(R"(services:
  app:
    image: x
    entrypoint: ["/app", "--token=${API_TOKEN}"]
    command: ["--db", "postgres://app:${DB_PASSWORD}@db/app", "--again", "${DB_PASSWORD}"]
    environment:
      DB_PASSWORD: ${DB_PASSWORD}
      DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app
      PLAIN: hello
  db:
    image: postgres
    environment:
      POSTGRES_PASSWORD: ${DB_PASSWORD}
    healthcheck:
      test: ["CMD", "pg_isready", "--password=${DB_PASSWORD}"]
  probe:
    image: x
    healthcheck:
      test: ["CMD-SHELL", "check --key ${API_TOKEN}"]
)",
       {{"DB_PASSWORD", "DbSecretPw123"}, {"API_TOKEN", "TokenValue987"}});
  json secret = doc("Secret", "app-secrets").object;
  EXPECT_EQ(secret["stringData"], json::parse(R"({
      "app.DATABASE_URL": "postgres://app:DbSecretPw123@db/app",
      "app.DB_PASSWORD": "DbSecretPw123",
      "app.EDGECREW_SECRET_1": "TokenValue987",
      "db.POSTGRES_PASSWORD": "DbSecretPw123",
      "probe.EDGECREW_SECRET_1": "TokenValue987"})"));
  json app = container("app");
  EXPECT_EQ(app["command"], json::parse(R"j(["/app", "--token=$(EDGECREW_SECRET_1)"])j"));
  EXPECT_EQ(
      app["args"],
      json::parse(
          R"j(["--db", "postgres://app:$(DB_PASSWORD)@db/app", "--again", "$(DB_PASSWORD)"])j"));
  auto ref = [](const std::string& var, const std::string& key) {
    return json{{"name", var},
                {"valueFrom", {{"secretKeyRef", {{"name", "app-secrets"}, {"key", key}}}}}};
  };
  EXPECT_EQ(app["env"], (json{ref("DATABASE_URL", "app.DATABASE_URL"),
                              ref("DB_PASSWORD", "app.DB_PASSWORD"),
                              ref("EDGECREW_SECRET_1", "app.EDGECREW_SECRET_1"),
                              {{"name", "PLAIN"}, {"value", "hello"}}}));
  // Probes are not expanded by Kubernetes: the container's shell reads the variable.
  EXPECT_EQ(
      container("db")["readinessProbe"]["exec"]["command"],
      json::parse(R"(["/bin/sh", "-c", "exec pg_isready --password=\"${POSTGRES_PASSWORD}\""])"));
  EXPECT_EQ(container("probe")["readinessProbe"]["exec"]["command"],
            json::parse(R"(["/bin/sh", "-c", "check --key ${EDGECREW_SECRET_1}"])"));
  EXPECT_THAT(workload("db").notes, Contains(HasSubstr("healthcheck reads its secrets")));
  for (const auto& d : docs()) {
    if (d.object["kind"] == "Secret") continue;
    std::string text = to_yaml(d.object);
    EXPECT_THAT(text, Not(HasSubstr("DbSecretPw123")));
    EXPECT_THAT(text, Not(HasSubstr("TokenValue987")));
  }
}

TEST_F(K8sMapping, ASecretWhereKubernetesTakesNoReferenceIsMasked) {
  load(R"(services:
  a:
    image: registry.example/app:${API_TOKEN}
    working_dir: /srv/${API_TOKEN}
    network_mode: host
    x-edgecrew:
      probe:
        http: {url: "http://127.0.0.1:8080/health?token=${API_TOKEN}"}
)",
       {{"API_TOKEN", "TokenValue987"}});
  K8sDocument a = workload("a");
  EXPECT_EQ(container("a")["image"], "registry.example/app:********");
  EXPECT_EQ(container("a")["workingDir"], "/srv/********");
  // A probe needs no token: the query is left out rather than masked.
  EXPECT_EQ(container("a")["readinessProbe"]["httpGet"]["path"], "/health");
  EXPECT_THAT(a.notes,
              Contains("the probe URL's query holds a secret and is left out of the probe"));
  EXPECT_THAT(a.notes, Contains(HasSubstr("is masked")));
  EXPECT_THAT(to_yaml(a.object), Not(HasSubstr("TokenValue987")));
}

TEST_F(K8sMapping, ADollarThatKubernetesWouldExpandIsEscaped) {
  load(R"j(services:
  a:
    image: x
    command: ["sh", "-c", "echo $$(date) $$HOME $$$$ cost$$"]
    environment:
      LITERAL: "$$(NOT_A_VAR)"
)j");
  EXPECT_EQ(container("a")["args"][2], "echo $$(date) $HOME $$$ cost$");
  EXPECT_EQ(container("a")["env"][0]["value"], "$$(NOT_A_VAR)");
  EXPECT_THAT(kinds(), Not(Contains(HasSubstr("Secret"))));
}

TEST(K8sServiceSecrets, ExpansionEscapesWhatWouldReadAsAReference) {
  k8s::ServiceSecrets s;
  s.values = {"(pw)secret"};
  s.var_for = {{"(pw)secret", "PW"}};
  // A literal "$" before a secret's "$(" is doubled, or it would read as "$$".
  EXPECT_EQ(s.for_expansion("a$(pw)secret"), "a$$$(PW)");
  EXPECT_EQ(s.for_expansion("(pw)secret$"), "$(PW)$");
  EXPECT_EQ(s.for_expansion("x$$y$(z)"), "x$$$y$$(z)");
  EXPECT_EQ(s.for_shell("k=(pw)secret"), "k=${PW}");
  EXPECT_EQ(s.shell_word("it's (pw)secret"), "'it'\\''s '\"${PW}\"");
  EXPECT_EQ(s.shell_word(""), "''");
}

// --- GPUs and resources

TEST_F(K8sMapping, GpusAreCountedFromTheirCdiNames) {
  load(R"(services:
  two:
    image: x
    devices: [nvidia.com/gpu=0, nvidia.com/gpu=1, vendor.com/fpga=0, /dev/fuse]
    runtime: nvidia
  counted:
    image: x
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: 3, capabilities: [gpu]}]
  ids:
    image: x
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, device_ids: ["1", "3"], capabilities: [gpu]}]
  all:
    image: x
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: all, capabilities: [gpu]}]
)");
  m_options.gpus = 2;
  auto gpus = [&](const std::string& s) {
    return container(s)["resources"]["limits"]["nvidia.com/gpu"];
  };
  EXPECT_EQ(gpus("two"), "2");
  EXPECT_EQ(gpus("counted"), "3");
  EXPECT_EQ(gpus("ids"), "2");
  EXPECT_EQ(gpus("all"), "2");
  EXPECT_EQ(pod("two")["runtimeClassName"], "nvidia");
  EXPECT_THAT(workload("two").notes,
              ElementsAre("the CDI device vendor.com/fpga=0 is not mapped (no Kubernetes resource)",
                          "the host device /dev/fuse is not mapped",
                          "restart: no becomes restartPolicy Always, the only one a Deployment or "
                          "StatefulSet takes"));
  EXPECT_THAT(workload("all").notes,
              Contains("nvidia.com/gpu: 2 stands for nvidia.com/gpu=all: Kubernetes counts GPUs "
                       "(set it with --gpus N)"));
  EXPECT_THAT(workload("ids").notes, Not(Contains(HasSubstr("stands for"))));
  // The CDI names themselves go nowhere.
  EXPECT_THAT(to_yaml(workload("two").object), Not(HasSubstr("gpu=")));
}

TEST_F(K8sMapping, CpuAndMemoryAreLimitsAndTheReservationARequest) {
  load(R"(services:
  a:
    image: x
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512m}
        reservations: {memory: 1000000}
  b:
    image: x
    cpus: 2
)");
  EXPECT_EQ(container("a")["resources"],
            json::parse(R"({"limits": {"cpu": "500m", "memory": "512Mi"},
                            "requests": {"memory": "1000000"}})"));
  EXPECT_EQ(container("b")["resources"], json::parse(R"({"limits": {"cpu": "2000m"}})"));
}

// --- dependencies

TEST_F(K8sMapping, DependenciesAreWaitedForByInitContainers) {
  load(R"(services:
  app:
    image: x
    depends_on:
      db: {condition: service_healthy}
      cache: {condition: service_started}
      migrate: {condition: service_completed_successfully}
      portless: {condition: service_started}
      optional: {condition: service_started, required: false}
  db:
    image: postgres
    ports: ["5432"]
    healthcheck: {test: ["CMD", "pg_isready"]}
  cache:
    image: redis
    network_mode: host
    x-edgecrew: {probe: {redis: {url: "redis://127.0.0.1:6380"}}}
  migrate:
    image: x
  portless:
    image: x
  optional:
    image: x
    profiles: [extra]
    ports: ["1"]
)");
  auto wait = [](const std::string& name, const std::string& host, int port) {
    return json{
        {"name", name},
        {"image", "docker.io/library/busybox:1.36"},
        {"command",
         {"sh", "-c", "until nc -z " + host + " " + std::to_string(port) + "; do sleep 2; done"}}};
  };
  EXPECT_EQ(pod("app")["initContainers"],
            (json{wait("wait-for-db", "db", 5432), wait("wait-for-cache", "cache", 6380)}));
  EXPECT_THAT(workload("app").notes,
              ::testing::IsSupersetOf(
                  {"depends_on migrate: service_completed_successfully is not mapped (it would be "
                   "a Job)",
                   "depends_on portless: not waited for, as it has no port (no ports, no probe) "
                   "to wait on"}));
  EXPECT_FALSE(pod("db").contains("initContainers"));
}

// --- the rest of the pod

TEST_F(K8sMapping, CommandUserDirectoryGraceAndHostname) {
  load(R"(services:
  a:
    image: x
    entrypoint: ["/bin/tini", "--"]
    command: ["serve", "--port", "80"]
    working_dir: /srv
    user: "1000:100"
    hostname: Front.End
    stop_grace_period: 1m30s
    restart: unless-stopped
    environment: {B: "2", A: "1"}
  b:
    image: x
    user: "1001"
    hostname: ignored
    volumes: [v:/v]
  c:
    image: x
    user: redis
    restart: on-failure:3
    stop_signal: SIGINT
    init: true
volumes:
  v:
)");
  json a = container("a");
  EXPECT_EQ(a["command"], json::parse(R"(["/bin/tini", "--"])"));
  EXPECT_EQ(a["args"], json::parse(R"(["serve", "--port", "80"])"));
  EXPECT_EQ(a["workingDir"], "/srv");
  EXPECT_EQ(a["env"], json::parse(R"([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])"));
  EXPECT_EQ(a["securityContext"], json::parse(R"({"runAsUser": 1000, "runAsGroup": 100})"));
  EXPECT_EQ(pod("a")["hostname"], "front-end");
  EXPECT_EQ(pod("a")["terminationGracePeriodSeconds"], 90);
  EXPECT_EQ(pod("a")["restartPolicy"], "Always");
  EXPECT_THAT(workload("a").notes, IsEmpty());
  EXPECT_EQ(container("b")["securityContext"], json::parse(R"({"runAsUser": 1001})"));
  EXPECT_FALSE(pod("b").contains("hostname"));  // a StatefulSet pod's name is its hostname
  EXPECT_FALSE(container("c").contains("securityContext"));
  EXPECT_EQ(pod("c")["restartPolicy"], "Always");
  EXPECT_THAT(workload("c").notes,
              ElementsAre("user \"redis\" is not mapped: runAsUser takes numeric ids",
                          "restart: on-failure becomes restartPolicy Always, the only one a "
                          "Deployment or StatefulSet takes",
                          "stop_signal SIGINT is not mapped: the kubelet sends SIGTERM",
                          "init: true is not mapped: the image's entrypoint runs as PID 1"));
}

TEST_F(K8sMapping, NamesBecomeKubernetesNames) {
  load("services:\n  My_App.v2:\n    image: x\n    ports: [\"80\"]\n");
  EXPECT_THAT(kinds(), ElementsAre("Service my-app-v2", "Deployment my-app-v2"));
  EXPECT_EQ(container("my-app-v2")["name"], "my-app-v2");
  EXPECT_EQ(k8s::dns_label("__A..b__"), "a--b");
  EXPECT_EQ(k8s::dns_label(std::string(70, 'x')), std::string(63, 'x'));
  stack::Service digit;
  digit.name = "1st";
  EXPECT_EQ(k8s::object_name(digit), "s-1st");
}

TEST(K8sNamespace, IsAnRfc1123Label) {
  for (const char* ok : {"default", "edge-crew", "a", "0ab"}) {
    EXPECT_TRUE(is_valid_k8s_namespace(ok)) << ok;
  }
  for (const char* bad : {"", "Edge", "-a", "a-", "a_b", "a.b"}) {
    EXPECT_FALSE(is_valid_k8s_namespace(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_k8s_namespace(std::string(64, 'a')));
}

TEST_F(K8sMapping, OnlyTheNamedServicesAreRendered) {
  load(R"(services:
  a:
    image: x
    environment: {A_PASSWORD: secret-a}
  b:
    image: x
    environment: {B_PASSWORD: secret-b}
)");
  m_services = {m_stack.find("b")};
  EXPECT_THAT(kinds(), ElementsAre("Secret app-secrets", "Deployment b"));
  EXPECT_EQ(doc("Secret", "app-secrets").object["stringData"],
            json::parse(R"({"b.B_PASSWORD": "secret-b"})"));
}

TEST_F(K8sMapping, UsernsModesAndHostUsers) {
  load(R"(services:
  plain: {image: busybox}
  host: {image: busybox, userns_mode: host}
  auto: {image: busybox, userns_mode: auto}
  sized: {image: busybox, userns_mode: "auto:size=2000"}
  nomap: {image: busybox, userns_mode: nomap}
  keep: {image: busybox, userns_mode: "keep-id:uid=1000"}
  joined: {image: busybox, userns_mode: "ns:/proc/1/ns/user"}
)");
  EXPECT_FALSE(pod("plain").contains("hostUsers"));
  EXPECT_FALSE(pod("host").contains("hostUsers"));  // the default: the node's namespace
  EXPECT_EQ(pod("auto")["hostUsers"], false);
  EXPECT_THAT(workload("auto").notes, Not(Contains(HasSubstr("userns_mode"))));
  EXPECT_EQ(pod("sized")["hostUsers"], false);
  EXPECT_THAT(workload("sized").notes,
              Contains("userns_mode auto:size=2000 becomes hostUsers: false; its options are not "
                       "mapped: the kubelet picks the pod's 65536 ids"));
  EXPECT_EQ(pod("nomap")["hostUsers"], false);
  EXPECT_THAT(workload("nomap").notes, Contains(HasSubstr("userns_mode nomap becomes hostUsers")));
  EXPECT_FALSE(pod("keep").contains("hostUsers"));
  EXPECT_THAT(workload("keep").notes,
              Contains("userns_mode keep-id:uid=1000 is not mapped: Kubernetes has no rootless "
                       "user whose ids a pod keeps (set runAsUser for the container's uid); the "
                       "pod runs in the node's user namespace (hostUsers: false gives it a "
                       "private one)"));
  EXPECT_FALSE(pod("joined").contains("hostUsers"));
  EXPECT_THAT(workload("joined").notes,
              Contains(HasSubstr("userns_mode ns:/proc/1/ns/user is not mapped: Kubernetes has "
                                 "no way to join a user namespace by path")));
}

}  // namespace
}  // namespace edgecrew::render
