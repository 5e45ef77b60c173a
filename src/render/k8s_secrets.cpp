#include "render/k8s_secrets.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "render/k8s_names.h"
#include "render/k8s_probes.h"
#include "stack/secrets.h"
#include "util/strings.h"

namespace edgecrew::render::k8s {

namespace {

// As stack::Redactor: shorter values would match ordinary words, and an empty one everything.
constexpr std::size_t k_min_secret_length = 3;

std::vector<std::string> secret_values(const stack::Stack& stack) {
  std::vector<std::string> values;
  for (auto& v : stack::collect_secrets(stack)) {
    if (v.size() >= k_min_secret_length &&
        std::find(values.begin(), values.end(), v) == values.end()) {
      values.push_back(std::move(v));
    }
  }
  std::stable_sort(values.begin(), values.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return values;
}

// Secret keys may hold letters, digits, "-", "_" and ".".
std::string secret_key(const stack::Service& service, const std::string& var) {
  std::string key = object_name(service) + ".";
  for (unsigned char c : var) {
    key.push_back(std::isalnum(c) || c == '-' || c == '_' || c == '.' ? static_cast<char>(c) : '_');
  }
  return key;
}

// What the container shows Kubernetes or its shell: entrypoint, command, the exec healthcheck.
std::vector<std::string> scanned_texts(const stack::Service& service) {
  std::vector<std::string> texts;
  if (service.entrypoint) texts = *service.entrypoint;
  if (service.command) texts.insert(texts.end(), service.command->begin(), service.command->end());
  if (const auto* h = exec_healthcheck(service))
    texts.insert(texts.end(), h->argv.begin(), h->argv.end());
  return texts;
}

ServiceSecrets plan_service(const stack::Service& service, const std::vector<std::string>& values,
                            std::map<std::string, std::string>& data) {
  ServiceSecrets out;
  out.values = values;
  for (const auto& [var, value] : service.environment) {
    if (!stack::is_secret_name(var) && !out.holds_secret(value)) continue;
    std::string key = secret_key(service, var);
    data[key] = value;
    out.env_keys[var] = key;
    if (!out.var_for.contains(value)) out.var_for[value] = var;
  }
  int next = 1;
  for (const auto& text : scanned_texts(service)) {
    for (const auto& piece : out.split(text)) {
      if (!piece.secret || out.var_for.contains(piece.text)) continue;
      std::string var;
      do {
        var = fmt::format("EDGECREW_SECRET_{}", next++);
      } while (service.environment.contains(var));
      std::string key = secret_key(service, var);
      data[key] = piece.text;
      out.env_keys[var] = key;
      out.var_for[piece.text] = var;
    }
  }
  return out;
}

}  // namespace

std::vector<TextPiece> ServiceSecrets::split(std::string_view text) const {
  std::vector<TextPiece> pieces;
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    auto found = std::find_if(values.begin(), values.end(),
                              [&](const std::string& v) { return text.substr(i, v.size()) == v; });
    if (found == values.end()) {
      literal.push_back(text[i++]);
      continue;
    }
    if (!literal.empty()) pieces.push_back({std::move(literal), false});
    literal.clear();
    pieces.push_back({*found, true});
    i += found->size();
  }
  if (!literal.empty()) pieces.push_back({std::move(literal), false});
  return pieces;
}

bool ServiceSecrets::holds_secret(std::string_view text) const {
  return std::any_of(values.begin(), values.end(),
                     [&](const std::string& v) { return text.find(v) != std::string_view::npos; });
}

std::string ServiceSecrets::var(const std::string& value) const {
  // plan_secrets gives every secret a service's texts hold a variable; never print one anyway.
  auto it = var_for.find(value);
  return it == var_for.end() ? "EDGECREW_SECRET_UNKNOWN" : it->second;
}

std::string ServiceSecrets::for_expansion(std::string_view text) const {
  // Kubernetes reads "$$" as "$" and "$(NAME)" as the variable; any other "$" stays as it is.
  auto pieces = split(text);
  std::string out;
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    if (pieces[p].secret) {
      out += "$(" + var(pieces[p].text) + ")";
      continue;
    }
    const std::string& s = pieces[p].text;
    for (std::size_t i = 0; i < s.size(); ++i) {
      bool before_reference = i + 1 < s.size() ? (s[i + 1] == '$' || s[i + 1] == '(')
                                               : p + 1 < pieces.size();  // a secret's "$("
      out += s[i] == '$' && before_reference ? "$$" : std::string(1, s[i]);
    }
  }
  return out;
}

std::string ServiceSecrets::for_shell(std::string_view text) const {
  std::string out;
  for (const auto& piece : split(text))
    out += piece.secret ? "${" + var(piece.text) + "}" : piece.text;
  return out;
}

std::string ServiceSecrets::shell_word(std::string_view arg) const {
  if (arg.empty()) return "''";
  std::string out;
  for (const auto& piece : split(arg)) {
    out += piece.secret ? "\"${" + var(piece.text) + "}\"" : shell_quote(piece.text);
  }
  return out;
}

SecretsPlan plan_secrets(const stack::Stack& stack,
                         const std::vector<const stack::Service*>& services) {
  SecretsPlan plan;
  plan.name = secret_name(stack);
  plan.values = secret_values(stack);
  for (const auto* service : services) {
    plan.services[service->name] = plan_service(*service, plan.values, plan.data);
  }
  return plan;
}

bool mask_secrets(nlohmann::ordered_json& object, const std::vector<std::string>& values) {
  if (object.is_string()) {
    std::string text = object.get<std::string>();
    bool masked = false;
    for (const auto& v : values) {
      for (std::size_t at = 0; (at = text.find(v, at)) != std::string::npos;) {
        text.replace(at, v.size(), stack::k_mask);
        at += stack::k_mask.size();
        masked = true;
      }
    }
    if (masked) object = text;
    return masked;
  }
  bool masked = false;
  if (object.is_structured()) {
    for (auto& child : object) masked = mask_secrets(child, values) || masked;
  }
  return masked;
}

nlohmann::ordered_json secret_object(const stack::Stack& stack, const SecretsPlan& plan,
                                     const std::string& namespace_name) {
  if (plan.data.empty()) return nullptr;
  json data = json::object();
  for (const auto& [key, value] : plan.data) data[key] = value;
  return json{{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", object_meta(plan.name, namespace_name, stack_labels(stack))},
              {"type", "Opaque"},
              {"stringData", std::move(data)}};
}

}  // namespace edgecrew::render::k8s
