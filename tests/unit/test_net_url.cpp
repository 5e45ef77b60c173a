// URL parts for connecting (user, password, host, port, path), printing URLs with the password
// masked, and the base64 behind HTTP Basic credentials.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/base64.h"
#include "net/http_client.h"
#include "net/url.h"

namespace edgecrew::net {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(HttpUrl, ParsesEveryPart) {
  auto url = parse_url("HTTP://neo4j:s3cr%40t@db.local:7474/db/neo4j?x=1");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->user, "neo4j");
  EXPECT_EQ(url->password, "s3cr@t");
  EXPECT_TRUE(url->has_password);
  EXPECT_EQ(url->host, "db.local");
  EXPECT_EQ(url->port, 7474);
  EXPECT_EQ(url->path, "/db/neo4j?x=1");
}

TEST(HttpUrl, HostOnlyAndIpv6) {
  auto plain = parse_url("redis://127.0.0.1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_FALSE(plain->port.has_value());
  EXPECT_FALSE(plain->has_password);
  EXPECT_EQ(plain->path, "");

  auto v6 = parse_url("bolt://[::1]:7687");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7687);
  EXPECT_EQ(host_port(v6->host, 7687), "[::1]:7687");
  EXPECT_EQ(display_url(*v6), "bolt://[::1]:7687");
}

TEST(HttpUrl, AnEmptyUserWithAPasswordAndAnUnencodedAt) {
  auto url = parse_url("redis://:p@ss@127.0.0.1:6379/0");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->user, "");
  EXPECT_EQ(url->password, "p@ss");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(display_url(*url), "redis://:********@127.0.0.1:6379/0");
}

TEST(HttpUrl, ErrorsNameTheUrlWithoutItsPassword) {
  for (const char* text : {"redis://:hunter22@host:99999", "redis://:hunter22@:6379",
                           "http://:hunter22@host:port/", "//:hunter22@host", "http://[::1:80"}) {
    auto url = parse_url(text);
    ASSERT_FALSE(url) << text;
    EXPECT_EQ(url.error().kind, ErrorKind::invalid_input);
    EXPECT_THAT(url.error().message, Not(HasSubstr("hunter22"))) << text;
  }
  EXPECT_EQ(parse_url("http://h:0/").error().message,
            "invalid URL \"http://h:0/\": port \"0\" is not a number from 1 to 65535");
}

TEST(HttpUrl, MaskUrlPasswordLeavesOtherTextAlone) {
  EXPECT_EQ(mask_url_password("http://u:pw@h:1/p"), "http://u:********@h:1/p");
  EXPECT_EQ(mask_url_password("http://u@h/p@q"), "http://u@h/p@q");
  EXPECT_EQ(mask_url_password("not a url"), "not a url");
}

// RFC 4648 section 10 test vectors.
TEST(HttpBasicAuth, Base64MatchesTheRfcVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xFF\xFE\x00", 3)), "//4A");
}

// RFC 7617's example: Aladdin / open sesame.
TEST(HttpBasicAuth, HeaderIsUserColonPasswordInBase64) {
  auto [name, value] = basic_auth_header("Aladdin", "open sesame");
  EXPECT_EQ(name, "Authorization");
  EXPECT_EQ(value, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

}  // namespace
}  // namespace edgecrew::net
