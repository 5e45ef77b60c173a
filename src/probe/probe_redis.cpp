// redis: AUTH (when the URL has a password), PING, and SELECT when the URL names a database,
// with hiredis over a socket from net::tcp_connect, so that a refusal, a timeout or an unknown
// host reads the same as in every other probe. Each server error that means a password mismatch
// gets its own failure and a sentence saying which side holds which password.

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "net/tcp.h"
#include "net/url.h"
#include "probe/probe_kinds.h"
#include "probe/redis_url.h"

namespace edgecrew::probe::detail {

namespace {

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Context = std::unique_ptr<redisContext, ContextFree>;
using Reply = std::unique_ptr<redisReply, ReplyFree>;

// hiredis writes with write(2): a server that already closed the connection would raise
// SIGPIPE, whose default action ends edgecrew. SIGPIPE goes to the thread that wrote, so it is
// blocked on this thread for the exchange, and one it raised is taken before unblocking.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&m_pipe);
    sigaddset(&m_pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &m_pipe, &m_previous);
  }
  ~SigpipeBlock() {
    if (sigismember(&m_previous, SIGPIPE)) return;
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) {
      timespec no_wait{0, 0};
      sigtimedwait(&m_pipe, nullptr, &no_wait);
    }
    pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t m_pipe;
  sigset_t m_previous;
};

// hiredis 0.14 reports a receive timeout (SO_RCVTIMEO) as an I/O error with errno EAGAIN;
// hiredis 1.x has an error kind of its own for it.
bool timed_out(const redisContext& context, int saved_errno) {
#ifdef REDIS_ERR_TIMEOUT
  if (context.err == REDIS_ERR_TIMEOUT) return true;
#endif
  return context.err == REDIS_ERR_IO &&
         (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT);
}

// One command and its reply, within the deadline.
Result<Reply> command(redisContext& context, const std::vector<std::string>& args,
                      const Deadline& deadline) {
  const std::string& name = args.front();
  auto left = deadline.remaining();
  // A zero timeval would mean "no timeout" to the socket.
  if (left.count() == 0) {
    return Error{ErrorKind::timeout, fmt::format("timed out after {} ms, before sending {}",
                                                 deadline.elapsed().count(), name)};
  }
  timeval tv{static_cast<time_t>(left.count() / 1000),
             static_cast<suseconds_t>((left.count() % 1000) * 1000)};
  redisSetTimeout(&context, tv);
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  errno = 0;
  void* raw =
      redisCommandArgv(&context, static_cast<int>(argv.size()), argv.data(), lengths.data());
  int saved_errno = errno;
  if (raw != nullptr) return Reply(static_cast<redisReply*>(raw));
  if (timed_out(context, saved_errno)) {
    return Error{ErrorKind::timeout,
                 fmt::format("timed out after {} ms waiting for the reply to {}",
                             deadline.elapsed().count(), name)};
  }
  if (context.err == REDIS_ERR_EOF) {
    return Error{ErrorKind::io,
                 fmt::format("the server closed the connection instead of answering {}", name)};
  }
  return Error{ErrorKind::io, fmt::format("{} failed: {}", name, context.errstr)};
}

std::string_view error_text(const redisReply& reply) {
  return reply.type == REDIS_REPLY_ERROR ? std::string_view(reply.str, reply.len)
                                         : std::string_view();
}

ProbeResult auth_failure(const std::string& label, const RedisTarget& target,
                         std::string_view error) {
  // Redis 6+: "WRONGPASS invalid username-password pair or user is disabled."; before: "ERR
  // invalid password".
  if (error.starts_with("WRONGPASS") || error.find("invalid password") != std::string_view::npos) {
    if (target.user.empty()) {
      return failed(ProbeFailure::wrong_password,
                    label +
                        ": WRONGPASS: the password in the probe URL does not match the "
                        "server's requirepass");
    }
    return failed(ProbeFailure::wrong_password,
                  fmt::format("{}: WRONGPASS: the server refused user \"{}\" with the password "
                              "in the probe URL (a wrong password, or the user is unknown or "
                              "disabled)",
                              label, target.user));
  }
  // Redis 6+: "ERR AUTH <password> called without any password configured for the default
  // user..."; before: "ERR Client sent AUTH, but no password is set".
  if (error.find("without any password configured") != std::string_view::npos ||
      error.find("no password is set") != std::string_view::npos) {
    return failed(ProbeFailure::no_password_configured,
                  label +
                      ": the probe URL carries a password, but the server has none "
                      "configured (no requirepass), so it refuses AUTH; the server and the "
                      "URL must take the password from the same place: start redis-server "
                      "with --requirepass, or remove the password from the URL");
  }
  return failed(ProbeFailure::protocol, fmt::format("{}: AUTH failed: {}", label, error));
}

ProbeResult ping_failure(const std::string& label, std::string_view error) {
  if (error.starts_with("NOAUTH")) {
    return failed(ProbeFailure::auth_required,
                  label +
                      ": NOAUTH: the server requires a password, but the probe URL has none "
                      "(it goes between \"redis://:\" and \"@host\")");
  }
  if (error.starts_with("LOADING")) {
    return failed(ProbeFailure::protocol,
                  label + ": LOADING: the server is still loading its data");
  }
  return failed(ProbeFailure::protocol, fmt::format("{}: PING failed: {}", label, error));
}

}  // namespace

ProbeResult probe_redis(const stack::Probe& probe, const Deadline& deadline) {
  auto target = parse_redis_url(probe.url);
  if (!target) {
    return failed(ProbeFailure::misconfigured, "redis: " + target.error().message);
  }
  // The label names host:port only: the user and password stay out of every summary.
  std::string label = "redis " + net::host_port(target->host, target->port);

  auto fd = net::tcp_connect(target->host, target->port, deadline.remaining());
  if (!fd) return failed(failure_of(fd.error()), fmt::format("{}: {}", label, fd.error().message));
  Context context(redisConnectFd(fd->release()));
  if (!context) return failed(ProbeFailure::protocol, label + ": hiredis could not allocate");
  if (context->err != 0) {
    return failed(ProbeFailure::protocol, fmt::format("{}: {}", label, context->errstr));
  }

  SigpipeBlock no_sigpipe;
  auto run = [&](const std::vector<std::string>& args) {
    return command(*context, args, deadline);
  };
  if (target->has_password) {
    std::vector<std::string> auth{"AUTH"};
    if (!target->user.empty()) auth.push_back(target->user);
    auth.push_back(target->password);
    auto reply = run(auth);
    if (!reply) {
      return failed(failure_of(reply.error()), fmt::format("{}: {}", label, reply.error().message));
    }
    if ((*reply)->type == REDIS_REPLY_ERROR)
      return auth_failure(label, *target, error_text(**reply));
  }

  auto pong = run({"PING"});
  if (!pong) {
    return failed(failure_of(pong.error()), fmt::format("{}: {}", label, pong.error().message));
  }
  if ((*pong)->type == REDIS_REPLY_ERROR) return ping_failure(label, error_text(**pong));
  std::string answer = (*pong)->str != nullptr ? std::string((*pong)->str, (*pong)->len) : "";
  if (answer != "PONG") {
    return failed(ProbeFailure::protocol,
                  fmt::format("{}: PING answered \"{}\", not PONG", label, answer));
  }

  if (target->db != 0) {
    auto selected = run({"SELECT", std::to_string(target->db)});
    if (!selected) {
      return failed(failure_of(selected.error()),
                    fmt::format("{}: {}", label, selected.error().message));
    }
    if ((*selected)->type == REDIS_REPLY_ERROR) {
      return failed(ProbeFailure::protocol, fmt::format("{}: SELECT {} failed: {}", label,
                                                        target->db, error_text(**selected)));
    }
  }
  return ready(label + ": PONG");
}

}  // namespace edgecrew::probe::detail
