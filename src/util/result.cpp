#include "util/result.h"

#include <cerrno>

namespace edgecrew {

ErrorKind error_kind_from_errno(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return ErrorKind::not_found;
    case EACCES:
    case EPERM:
      return ErrorKind::permission_denied;
    default:
      return ErrorKind::io;
  }
}

}  // namespace edgecrew
