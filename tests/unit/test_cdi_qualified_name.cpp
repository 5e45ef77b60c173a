#include <gtest/gtest.h>

#include "cdi/qualified_name.h"

namespace edgecrew::cdi {
namespace {

TEST(ParseQualifiedName, SplitsVendorClassName) {
  auto parsed = parse_qualified_name("nvidia.com/gpu=all");
  ASSERT_TRUE(parsed.name) << parsed.error;
  EXPECT_EQ(parsed.name->vendor, "nvidia.com");
  EXPECT_EQ(parsed.name->clazz, "gpu");
  EXPECT_EQ(parsed.name->name, "all");
  EXPECT_EQ(parsed.name->kind(), "nvidia.com/gpu");
  EXPECT_EQ(parsed.name->str(), "nvidia.com/gpu=all");
  EXPECT_TRUE(parsed.error.empty());
}

TEST(ParseQualifiedName, AcceptsValidNames) {
  for (const char* good :
       {"nvidia.com/gpu=0", "nvidia.com/gpu=GPU-3f1c2a4e-9b7d-4e21-8c55-0a1b2c3d4e5f",
        "nvidia.com/mig-gpu=0:1", "vendor_x.example-1.io/my_class-2=dev.name_1-a",
        "vendor9.com/class9=9", "a/b=c", "nvidia.com/gpu=MIG-1.2", "nvidia..com/gpu=0",
        "nvidia.com/g.pu=0"}) {
    auto parsed = parse_qualified_name(good);
    EXPECT_TRUE(parsed.name) << good << ": " << parsed.error;
    if (parsed.name) {
      EXPECT_EQ(parsed.name->str(), good);
    }
  }
}

TEST(ParseQualifiedName, MissingParts) {
  EXPECT_EQ(parse_qualified_name("nvidia.com/gpu").error,
            "CDI name \"nvidia.com/gpu\" has no \"=NAME\" part");
  EXPECT_EQ(parse_qualified_name("gpu=all").error, "CDI name \"gpu=all\" has no vendor/class");
  EXPECT_EQ(parse_qualified_name("").error, "CDI name \"\" has no \"=NAME\" part");
  // The '/' after '=' belongs to the device name, so the kind still has no class.
  EXPECT_EQ(parse_qualified_name("nvidia.com=gpu/all").error,
            "CDI name \"nvidia.com=gpu/all\" has no vendor/class");
}

TEST(ParseQualifiedName, InvalidVendor) {
  // The library's parser: a vendor starts with a letter (no rule against "..").
  auto parsed = parse_qualified_name("9nvidia.com/gpu=all");
  EXPECT_FALSE(parsed.name);
  EXPECT_EQ(parsed.error,
            "invalid vendor \"9nvidia.com\" in CDI name \"9nvidia.com/gpu=all\": it must start "
            "with a letter");
  EXPECT_EQ(parse_qualified_name("/gpu=all").error,
            "invalid vendor \"\" in CDI name \"/gpu=all\": it is empty");
  EXPECT_EQ(parse_qualified_name(".nvidia.com/gpu=all").error,
            "invalid vendor \".nvidia.com\" in CDI name \".nvidia.com/gpu=all\": it must start "
            "with a letter");
  EXPECT_EQ(parse_qualified_name("nvidia.com-/gpu=all").error,
            "invalid vendor \"nvidia.com-\" in CDI name \"nvidia.com-/gpu=all\": it must end with "
            "a letter or digit");
  EXPECT_EQ(parse_qualified_name("nvi:dia.com/gpu=all").error,
            "invalid vendor \"nvi:dia.com\" in CDI name \"nvi:dia.com/gpu=all\": character ':' is "
            "not allowed");
}

TEST(ParseQualifiedName, InvalidClass) {
  EXPECT_EQ(parse_qualified_name("nvidia.com/=all").error,
            "invalid class \"\" in CDI name \"nvidia.com/=all\": it is empty");
  // A class starts with a letter; a second '/' is not allowed.
  EXPECT_EQ(parse_qualified_name("nvidia.com/9gpu=all").error,
            "invalid class \"9gpu\" in CDI name \"nvidia.com/9gpu=all\": it must start with a "
            "letter");
  EXPECT_FALSE(parse_qualified_name("nvidia.com/gpu/x=all").name);
  EXPECT_FALSE(parse_qualified_name("nvidia.com/_gpu=all").name);
  EXPECT_FALSE(parse_qualified_name("nvidia.com/gpu-=all").name);
}

TEST(ParseQualifiedName, InvalidDeviceName) {
  EXPECT_EQ(parse_qualified_name("nvidia.com/gpu=").error,
            "invalid device name \"\" in CDI name \"nvidia.com/gpu=\": it is empty");
  EXPECT_EQ(parse_qualified_name("nvidia.com/gpu=a=b").error,
            "invalid device name \"a=b\" in CDI name \"nvidia.com/gpu=a=b\": character '=' is not "
            "allowed");
  for (const char* bad :
       {"nvidia.com/gpu=:0", "nvidia.com/gpu=0:", "nvidia.com/gpu=all.", "nvidia.com/gpu=-1",
        "nvidia.com/gpu=a b", "nvidia.com/gpu=a/b", "nvidia.com/gpu=\xC3\xA9"}) {
    EXPECT_FALSE(parse_qualified_name(bad).name) << bad;
  }
}

TEST(LooksLikeQualifiedName, TellsCdiNamesFromPaths) {
  EXPECT_TRUE(looks_like_qualified_name("nvidia.com/gpu=all"));
  EXPECT_TRUE(looks_like_qualified_name("nvidia..com/gpu=all"));  // shaped like one, though invalid
  EXPECT_FALSE(looks_like_qualified_name("/dev/nvidia0"));
  EXPECT_FALSE(looks_like_qualified_name("/dev/x=y"));
  EXPECT_FALSE(looks_like_qualified_name("nvidia.com/gpu"));
  EXPECT_FALSE(looks_like_qualified_name("gpu=all"));
  EXPECT_FALSE(looks_like_qualified_name(""));
}

}  // namespace
}  // namespace edgecrew::cdi
