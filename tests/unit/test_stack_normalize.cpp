// The canonical form of a stack, and the spec hash: stable across the ways of writing the same
// service, different whenever the container would be different.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stack/normalize.h"
#include "stack_test_support.h"

namespace edgecrew::stack {
namespace {

using test::formatted;
using test::load_text;
using test::options_for_tests;

const std::string k_base = R"(services:
  a:
    image: acme/app:1
    command: ["run", "--port", "80"]
    environment:
      A: "1"
      B: "2"
    ports:
      - "8080:80"
      - "9090:90/udp"
    volumes:
      - data:/data
      - /tmp:/scratch:ro
    devices:
      - /dev/fuse
      - nvidia.com/gpu=0
    depends_on: [b]
    profiles: [p]
    x-edgecrew:
      probe:
        tcp: {port: 80}
  b:
    image: x
    healthcheck:
      test: ["CMD", "true"]
volumes:
  data:
)";

// The hash of service "a" of `text`, which must load without errors.
std::string hash_of(const std::string& text) {
  auto r = load_text(text);
  EXPECT_TRUE(r.stack.has_value()) << ::testing::PrintToString(formatted(r.diagnostics)) << "\n"
                                   << text;
  if (!r.stack) return "";
  const Service* a = r.stack->find("a");
  EXPECT_NE(a, nullptr);
  return a ? spec_hash(*a, *r.stack) : "";
}

// `text` with the one occurrence of `from` replaced by `to`.
std::string edit(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  EXPECT_EQ(text.find(from, pos + 1), std::string::npos) << from << " is not unique";
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

TEST(SpecHash, IsAHexSha256) {
  std::string h = hash_of(k_base);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(hash_of(k_base), h);  // deterministic
}

TEST(SpecHash, SameServiceWrittenDifferentlyHasTheSameHash) {
  // Flow style, keys in another order, environment as a list, the command as a string, ports,
  // volumes and devices in another order, the other service first.
  const std::string reordered = R"(
volumes: {data: {}}
services:
  b: {healthcheck: {test: ["CMD", "true"]}, image: x}
  a: {x-edgecrew: {probe: {tcp: {port: 80}}}, profiles: [p], depends_on: [b],
      devices: [nvidia.com/gpu=0, /dev/fuse:/dev/fuse:rwm],
      volumes: [{type: bind, source: /tmp, target: /scratch, read_only: true},
                {type: volume, source: data, target: /data}],
      ports: ["9090:90/udp", {target: 80, published: 8080}],
      environment: ["B=2", "A=1"],
      command: run --port 80,
      image: "acme/app:1"}
)";
  EXPECT_EQ(hash_of(reordered), hash_of(k_base));
}

TEST(SpecHash, WhatShapesTheContainerChangesIt) {
  const std::string base = hash_of(k_base);
  EXPECT_NE(hash_of(edit(k_base, "B: \"2\"", "B: \"3\"")), base);                 // an env value
  EXPECT_NE(hash_of(edit(k_base, "B: \"2\"", "B: \"2\"\n      C: \"\"")), base);  // a new variable
  EXPECT_NE(hash_of(edit(k_base, "acme/app:1", "acme/app:2")), base);             // the image
  EXPECT_NE(hash_of(edit(k_base, "\"80\"]", "\"81\"]")), base);                   // a command arg
  EXPECT_NE(hash_of(edit(k_base, "/tmp:/scratch:ro", "/tmp:/scratch")), base);    // a mount
  EXPECT_NE(hash_of(edit(k_base, "data:/data", "data:/data2")), base);
  EXPECT_NE(hash_of(edit(k_base, "nvidia.com/gpu=0", "nvidia.com/gpu=1")), base);  // a device
  EXPECT_NE(hash_of(edit(k_base, "\"8080:80\"", "\"8081:80\"")), base);  // a published port
  EXPECT_NE(hash_of(edit(k_base, "    profiles: [p]\n", "    profiles: [p]\n    user: \"1\"\n")),
            base);
}

TEST(SpecHash, DependenciesProfilesAndProbeDoNotChangeIt) {
  const std::string base = hash_of(k_base);
  EXPECT_EQ(hash_of(edit(k_base, "    depends_on: [b]\n", "")), base);
  EXPECT_EQ(hash_of(edit(k_base, "depends_on: [b]",
                         "depends_on: {b: {condition: service_healthy, restart: true}}")),
            base);
  EXPECT_EQ(hash_of(edit(k_base, "tcp: {port: 80}", "tcp: {port: 81}")), base);
  EXPECT_EQ(hash_of(edit(k_base, "tcp: {port: 80}", "http: {url: \"http://127.0.0.1/\"}")), base);
  EXPECT_EQ(hash_of(edit(k_base, "profiles: [p]", "profiles: [q, r]")), base);
  // Another service's changes do not touch this one's hash.
  EXPECT_EQ(hash_of(edit(k_base, "image: x", "image: y")), base);
}

TEST(SpecHash, TheProjectNameIsPartOfIt) {
  LoadOptions options = options_for_tests();
  options.project_name = "other";
  auto r = load_text(k_base, options);
  ASSERT_TRUE(r.stack.has_value());
  EXPECT_NE(spec_hash(*r.stack->find("a"), *r.stack), hash_of(k_base));
}

TEST(StackToJson, SmallStackExactly) {
  auto r = load_text(R"(
name: demo
x-edgecrew: {engine: podman}
services:
  web:
    x-edgecrew:
      probe:
        http: {url: "http://127.0.0.1:8080/"}
      runtime: crun
    init: true
    profiles: [web]
    stop_grace_period: 500ms
    restart: on-failure:3
    healthcheck:
      interval: 1m30s
      test: curl -f http://localhost/
    depends_on: [db]
    deploy:
      resources:
        reservations:
          devices: [{count: 1, capabilities: [gpu]}]
        limits: {memory: 256m, cpus: "0.5"}
    devices: [/dev/fuse, nvidia.com/gpu=all]
    volumes: ["html:/usr/share/nginx/html:ro", "/tmp:/scratch"]
    ports: ["127.0.0.1:8080:80", "53:53/udp", "9000"]
    environment: {B: "2", A: "1"}
    command: nginx -g "daemon off;"
    image: nginx:1.27
  db:
    image: postgres
    healthcheck: {disable: true}
volumes:
  html: {labels: {a: b}}
  ext: {external: true}
)");
  ASSERT_TRUE(r.stack.has_value()) << ::testing::PrintToString(formatted(r.diagnostics));
  const char* expected = R"({
  "name": "demo",
  "services": {
    "db": {
      "image": "postgres",
      "network_mode": "bridge",
      "healthcheck": {"disable": true},
      "stop_grace_period": "10s"
    },
    "web": {
      "image": "nginx:1.27",
      "command": ["nginx", "-g", "daemon off;"],
      "environment": {"A": "1", "B": "2"},
      "network_mode": "bridge",
      "ports": [
        {"target": 80, "published": "8080", "host_ip": "127.0.0.1", "protocol": "tcp"},
        {"target": 53, "published": "53", "protocol": "udp"},
        {"target": 9000, "protocol": "tcp"}
      ],
      "volumes": [
        {"type": "volume", "source": "html", "target": "/usr/share/nginx/html", "read_only": true,
         "volume_name": "demo_html"},
        {"type": "bind", "source": "/tmp", "target": "/scratch"}
      ],
      "devices": ["/dev/fuse:/dev/fuse:rwm", "nvidia.com/gpu=all"],
      "deploy": {"resources": {
        "limits": {"cpus": 0.5, "memory": 268435456},
        "reservations": {"devices": [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]}
      }},
      "depends_on": {"db": {"condition": "service_started", "required": true}},
      "healthcheck": {
        "test": ["CMD-SHELL", "curl -f http://localhost/"],
        "interval": "1m30s",
        "timeout": "30s",
        "retries": 3,
        "start_period": "0s",
        "start_interval": "5s"
      },
      "restart": "on-failure:3",
      "stop_grace_period": "500ms",
      "profiles": ["web"],
      "init": true,
      "x-edgecrew": {"runtime": "crun", "probe": {"http": {"url": "http://127.0.0.1:8080/",
                                                            "status": 200}}}
    }
  },
  "volumes": {
    "ext": {"name": "ext", "external": true},
    "html": {"name": "demo_html", "labels": {"a": "b"}}
  },
  "networks": {"default": {"name": "demo_default"}},
  "x-edgecrew": {"engine": "podman"}
})";
  EXPECT_EQ(stack_to_json(*r.stack).dump(2), nlohmann::ordered_json::parse(expected).dump(2));
}

}  // namespace
}  // namespace edgecrew::stack
