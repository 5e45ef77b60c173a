// make_cri_engine where the CRI engine is linked in: the tests, the fuzz targets and the benches.
#include "engine/cri/cri_engine.h"

namespace edgecrew::engine::cri {

Result<std::shared_ptr<CriRuntime>> make_cri_engine(const CriEndpoint& endpoint,
                                                    const CriEngineOptions& options) {
  return std::shared_ptr<CriRuntime>(std::make_shared<CriEngine>(endpoint, options));
}

}  // namespace edgecrew::engine::cri
