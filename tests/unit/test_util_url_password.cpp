#include <gtest/gtest.h>

#include "util/url_password.h"

namespace edgecrew {
namespace {

TEST(UrlPassword, MasksEveryUrlPasswordInFreeText) {
  EXPECT_EQ(mask_url_passwords("redis://:pw@127.0.0.1:6379/0", "***"),
            "redis://:***@127.0.0.1:6379/0");
  EXPECT_EQ(mask_url_passwords("a http://u:p1@h/x and bolt://n:p2@b:7687", "*"),
            "a http://u:*@h/x and bolt://n:*@b:7687");
  // The last '@' of the authority ends the password, so an unencoded '@' in it is masked too.
  EXPECT_EQ(mask_url_passwords("redis://:p@ss@h:1", "*"), "redis://:*@h:1");
}

TEST(UrlPassword, LeavesTextWithoutPasswordsAlone) {
  EXPECT_EQ(mask_url_passwords("http://user@h/p@q", "*"), "http://user@h/p@q");
  EXPECT_EQ(mask_url_passwords("mail me: a@b", "*"), "mail me: a@b");
  EXPECT_EQ(mask_url_passwords("redis://:@h", "*"), "redis://:@h");  // an empty password
  // A URL ends at a quote: a later '@' in the same text is not part of it.
  EXPECT_EQ(mask_url_passwords(R"({"url":"redis://h:1","mail":"a@b"})", "*"),
            R"({"url":"redis://h:1","mail":"a@b"})");
}

}  // namespace
}  // namespace edgecrew
