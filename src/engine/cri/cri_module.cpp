// The CRI module's exports (cri_runtime.h): the version of what crosses the entry point, and the
// entry point, which makes the engine linked into the module. It does not call make_cri_engine:
// that name resolves to the binary's, which loads this module.
#include "engine/cri/cri_engine.h"

extern "C" {

__attribute__((visibility("default"))) extern const int edgecrew_cri_module_abi;
const int edgecrew_cri_module_abi = edgecrew::engine::cri::k_cri_module_abi;

__attribute__((visibility("default"))) void edgecrew_cri_make_engine(
    const edgecrew::engine::cri::CriEndpoint* endpoint,
    const edgecrew::engine::cri::CriEngineOptions* options,
    std::shared_ptr<edgecrew::engine::cri::CriRuntime>* out) {
  *out = std::make_shared<edgecrew::engine::cri::CriEngine>(*endpoint, *options);
}
}
