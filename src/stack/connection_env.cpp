#include "stack/connection_env.h"

namespace edgecrew::stack {

namespace {

const Service* first_with(const Stack& stack, Probe::Kind kind) {
  for (const auto& s : stack.services) {
    if (s.probe && s.probe->kind == kind) return &s;
  }
  return nullptr;
}

}  // namespace

std::vector<ConnectionVariable> connection_env(const Stack& stack) {
  std::vector<ConnectionVariable> out;
  if (const Service* s = first_with(stack, Probe::Kind::redis)) {
    out.push_back({"REDIS_URL", s->probe->url, s->name});
  }
  if (const Service* s = first_with(stack, Probe::Kind::neo4j)) {
    const Probe& p = *s->probe;
    out.push_back({"NEO4J_URI", p.bolt.empty() ? p.http : p.bolt, s->name});
    out.push_back({"NEO4J_USER", p.user, s->name});
    if (!p.password.empty()) out.push_back({"NEO4J_PASSWORD", p.password, s->name});
  }
  if (const Service* s = first_with(stack, Probe::Kind::openai)) {
    // The probe's URL is checked at load to end in /v1, which the OpenAI clients need.
    out.push_back({"VLLM_ENDPOINT", s->probe->url, s->name});
    if (!s->probe->model.empty()) out.push_back({"VLLM_MODEL", s->probe->model, s->name});
  }
  return out;
}

}  // namespace edgecrew::stack
