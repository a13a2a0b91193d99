#include "chatterbox/bus/redis_endpoint.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

redis_endpoint endpoint_of(std::string_view url) {
  std::string why;
  const auto endpoint = parse_redis_url(url, why);
  EXPECT_TRUE(endpoint) << url << ": " << why;
  return endpoint.value_or(redis_endpoint{});
}

std::string refusal(std::string_view url) {
  std::string why;
  EXPECT_FALSE(parse_redis_url(url, why)) << url;
  return why;
}

TEST(redis_endpoint, AHostAloneMeansTheDefaultPortAndDatabase) {
  const auto e = endpoint_of("redis://cache.internal");
  EXPECT_EQ(e.host, "cache.internal");
  EXPECT_EQ(e.port, 6379);
  EXPECT_EQ(e.database, 0);
  EXPECT_TRUE(e.password.empty());
}

TEST(redis_endpoint, PortDatabaseAndCredentials) {
  const auto e = endpoint_of("redis://chat:s%40cret%3A1@10.0.0.5:6380/3");
  EXPECT_EQ(e.host, "10.0.0.5");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.database, 3);
  EXPECT_EQ(e.user, "chat");
  EXPECT_EQ(e.password, "s@cret:1");
  EXPECT_EQ(e.display(), "redis://chat:***@10.0.0.5:6380/3") << "the password is never shown";
}

TEST(redis_endpoint, APasswordWithoutAUser) {
  const auto e = endpoint_of("redis://:hunter2@localhost");
  EXPECT_TRUE(e.user.empty());
  EXPECT_EQ(e.password, "hunter2");
}

TEST(redis_endpoint, APlusInAPasswordIsAPlus) {
  EXPECT_EQ(endpoint_of("redis://:a+b@localhost").password, "a+b");
}

TEST(redis_endpoint, IPv6InBrackets) {
  const auto e = endpoint_of("redis://[::1]:7000/");
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.port, 7000);
  EXPECT_EQ(e.display(), "redis://[::1]:7000");
}

TEST(redis_endpoint, WhatIsRefusedSaysWhy) {
  EXPECT_NE(refusal("rediss://host").find("redis://"), std::string::npos);
  EXPECT_NE(refusal("http://host").find("redis://"), std::string::npos);
  EXPECT_NE(refusal("redis://").find("no host"), std::string::npos);
  EXPECT_NE(refusal("redis://host:0").find("port"), std::string::npos);
  EXPECT_NE(refusal("redis://host:70000").find("port"), std::string::npos);
  EXPECT_NE(refusal("redis://host:6379x").find("port"), std::string::npos);
  EXPECT_NE(refusal("redis://host/db").find("database"), std::string::npos);
  EXPECT_NE(refusal("redis://[::1:6379").find("]"), std::string::npos);
  EXPECT_NE(refusal("redis://u:%zz@host").find("percent"), std::string::npos);
}

}  // namespace
}  // namespace chatterbox
