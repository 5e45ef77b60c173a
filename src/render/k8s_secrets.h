#pragma once
// The Secret that holds every password a workload reads, and how each workload refers to it so
// that no workload manifest holds one: env valueFrom.secretKeyRef, $(VAR) in command and args,
// ${VAR} in a healthcheck's shell.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "stack/model.h"

namespace edgecrew::render::k8s {

struct TextPiece {
  std::string text;
  bool secret = false;
};

// How one service's container reads the secrets it uses.
struct ServiceSecrets {
  std::vector<std::string> values;              // secret values to look for, longest first
  std::map<std::string, std::string> env_keys;  // env var → its key in the Secret
  std::map<std::string, std::string> var_for;   // secret value → an env var holding it

  // `text` cut where a secret value starts and ends (the longest one at each place).
  std::vector<TextPiece> split(std::string_view text) const;
  bool holds_secret(std::string_view text) const;
  // For command, args and env values, which Kubernetes expands: secrets as $(VAR), and a
  // literal "$" escaped as "$$" where it would otherwise start "$(" or "$$".
  std::string for_expansion(std::string_view text) const;
  // For a shell command line: secrets as ${VAR}.
  std::string for_shell(std::string_view text) const;
  // `arg` as one shell word: literal parts quoted, secrets as "${VAR}".
  std::string shell_word(std::string_view arg) const;

 private:
  std::string var(const std::string& value) const;
};

struct SecretsPlan {
  std::string name;                                // the Secret's name
  std::vector<std::string> values;                 // every secret value, longest first
  std::map<std::string, std::string> data;         // key → value
  std::map<std::string, ServiceSecrets> services;  // by service name
};

// What goes into the Secret for `services`, and which env var each of them reads a secret from:
// its secret-named entries, entries whose value holds a secret, and EDGECREW_SECRET_<n> for a
// secret its entrypoint, command or healthcheck holds that no entry holds alone.
SecretsPlan plan_secrets(const stack::Stack& stack,
                         const std::vector<const stack::Service*>& services);

// Masks (as stack::k_mask) every secret value in the strings of `object`: the last guard for a
// field Kubernetes cannot fill by reference (an image, a path). Returns whether it masked any.
bool mask_secrets(nlohmann::ordered_json& object, const std::vector<std::string>& values);

// The Secret (type Opaque, stringData); null when it would be empty.
nlohmann::ordered_json secret_object(const stack::Stack& stack, const SecretsPlan& plan,
                                     const std::string& namespace_name);

}  // namespace edgecrew::render::k8s
