#include "chatterbox/http/trusted_proxies.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

using boost::asio::ip::make_address;

TEST(TrustedProxies, NetworksAndBareAddresses) {
  trusted_proxies proxies;
  EXPECT_FALSE(proxies.add("10.0.0.0/8"));
  EXPECT_FALSE(proxies.add("192.168.1.7"));
  EXPECT_FALSE(proxies.add("2001:db8::/32"));
  EXPECT_FALSE(proxies.add("::1"));
  EXPECT_TRUE(proxies.contains(make_address("10.255.1.2")));
  EXPECT_FALSE(proxies.contains(make_address("11.0.0.1")));
  EXPECT_TRUE(proxies.contains(make_address("192.168.1.7")));
  EXPECT_FALSE(proxies.contains(make_address("192.168.1.8")));
  EXPECT_TRUE(proxies.contains(make_address("2001:db8:ffff::1")));
  EXPECT_FALSE(proxies.contains(make_address("2001:db9::1")));
  EXPECT_TRUE(proxies.contains(make_address("::1")));
  EXPECT_FALSE(proxies.contains(make_address("::2")));
}

TEST(TrustedProxies, EmptyMatchesNothing) {
  const trusted_proxies proxies;
  EXPECT_TRUE(proxies.empty());
  EXPECT_FALSE(proxies.contains(make_address("127.0.0.1")));
  EXPECT_FALSE(proxies.contains(make_address("::1")));
}

TEST(TrustedProxies, HostBitsAreIgnoredAndZeroPrefixMatchesAll) {
  trusted_proxies proxies;
  EXPECT_FALSE(proxies.add("172.16.5.4/12"));
  EXPECT_TRUE(proxies.contains(make_address("172.31.0.1")));
  EXPECT_FALSE(proxies.contains(make_address("172.32.0.1")));
  trusted_proxies everyone;
  EXPECT_FALSE(everyone.add("0.0.0.0/0"));
  EXPECT_TRUE(everyone.contains(make_address("8.8.8.8")));
  EXPECT_FALSE(everyone.contains(make_address("2001:db8::1")));  // IPv4 networks match IPv4 only
}

TEST(TrustedProxies, Ipv4MappedAddressesMatchIpv4Networks) {
  trusted_proxies proxies;
  EXPECT_FALSE(proxies.add("10.0.0.0/8"));
  EXPECT_TRUE(proxies.contains(make_address("::ffff:10.1.2.3")));
  trusted_proxies mapped;
  EXPECT_FALSE(mapped.add("::ffff:10.0.0.0/104"));
  EXPECT_TRUE(mapped.contains(make_address("10.9.9.9")));
  EXPECT_FALSE(mapped.contains(make_address("11.0.0.1")));
}

TEST(TrustedProxies, MalformedTextIsRefusedWithTheReason) {
  trusted_proxies proxies;
  for (const char* bad :
       {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/8/8", "10.0.0/8", "10.0.0.0/-1",
        "10.0.0.0/ 8", "10.0.0.0/08", "10.0.0.0/4294967304", "example.com", "fe80::1%eth0",
        "10.0.0.1 ", "1.2.3.4\n", "/8", "10.0.0.0/8x", "[::1]", "::ffff:10.0.0.0/20"}) {
    const auto error = proxies.add(bad);
    ASSERT_TRUE(error) << bad;
    EXPECT_NE(error->find(bad), std::string::npos) << *error;
  }
  EXPECT_TRUE(proxies.empty());
  EXPECT_TRUE(proxies.add(std::string_view("1.2.3.4\0", 8)));
}

TEST(NormalizeAddress, UnmapsIpv4AndDropsZones) {
  EXPECT_EQ(normalize_address(make_address("::ffff:192.0.2.1")), make_address("192.0.2.1"));
  EXPECT_EQ(normalize_address(make_address("2001:db8::1")), make_address("2001:db8::1"));
  auto scoped = make_address("fe80::1").to_v6();
  scoped.scope_id(3);
  EXPECT_EQ(normalize_address(scoped).to_string(), "fe80::1");
}

}  // namespace
}  // namespace chatterbox
