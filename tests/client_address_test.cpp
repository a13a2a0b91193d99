#include "chatterbox/http/client_address.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

using boost::asio::ip::make_address;

trusted_proxies proxies(std::initializer_list<const char*> cidrs) {
  trusted_proxies p;
  for (const auto* cidr : cidrs) EXPECT_FALSE(p.add(cidr)) << cidr;
  return p;
}

TEST(AddressKey, Ipv4AsIsIpv6ByItsSlash64) {
  EXPECT_EQ(address_key(make_address("203.0.113.7")), "203.0.113.7");
  EXPECT_EQ(address_key(make_address("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), "2001:db8:1:2::/64");
  EXPECT_EQ(address_key(make_address("2001:db8:1:2::1")),
            address_key(make_address("2001:db8:1:2:ffff::9")));
  EXPECT_NE(address_key(make_address("2001:db8:1:2::1")),
            address_key(make_address("2001:db8:1:3::1")));
  EXPECT_EQ(address_key(make_address("::ffff:203.0.113.7")), "203.0.113.7");
}

TEST(ClientAddress, TheSocketPeerWithoutProxies) {
  const client_address_resolver resolver(trusted_proxies{}, false);
  const auto client = resolver.resolve(make_address("198.51.100.4"),
                                       {"for=1.1.1.1;proto=https", "2.2.2.2", "https"});
  EXPECT_EQ(client.address, "198.51.100.4");
  EXPECT_EQ(client.key, "198.51.100.4");
  EXPECT_FALSE(client.https);
}

TEST(ClientAddress, UnknownPeer) {
  const client_address_resolver resolver(trusted_proxies{}, true);
  const auto client = resolver.resolve(std::nullopt, {});
  EXPECT_EQ(client.address, "unknown");
  EXPECT_EQ(client.key, "unknown");
  EXPECT_TRUE(client.https);
}

TEST(ClientAddress, Ipv6PeersAreKeyedBySlash64AndMappedIpv4AsIpv4) {
  const client_address_resolver resolver(trusted_proxies{}, false);
  const auto v6 = resolver.resolve(make_address("2001:db8:1:2::77"), {});
  EXPECT_EQ(v6.address, "2001:db8:1:2::77");
  EXPECT_EQ(v6.key, "2001:db8:1:2::/64");
  const auto mapped = resolver.resolve(make_address("::ffff:198.51.100.4"), {});
  EXPECT_EQ(mapped.address, "198.51.100.4");
  EXPECT_EQ(mapped.key, "198.51.100.4");
}

TEST(ClientAddress, XForwardedForFromATrustedProxySkipsTrustedHops) {
  const client_address_resolver resolver(proxies({"10.0.0.0/8"}), false);
  const auto peer = make_address("10.0.0.2");
  // The client may have put anything on the left; the rightmost untrusted entry is the client.
  auto client = resolver.resolve(peer, {"", "6.6.6.6, 203.0.113.7, 10.1.1.1", ""});
  EXPECT_EQ(client.address, "203.0.113.7");
  client = resolver.resolve(peer, {"", "203.0.113.7", ""});
  EXPECT_EQ(client.address, "203.0.113.7");
  client = resolver.resolve(peer, {"", "2001:db8:5:6::1", ""});
  EXPECT_EQ(client.key, "2001:db8:5:6::/64");
  // Every hop trusted: the leftmost (farthest) one.
  client = resolver.resolve(peer, {"", "10.9.9.9, 10.1.1.1", ""});
  EXPECT_EQ(client.address, "10.9.9.9");
  // A hop that names nobody stops the walk at the last trusted hop.
  client = resolver.resolve(peer, {"", "203.0.113.7, garbage, 10.1.1.1", ""});
  EXPECT_EQ(client.address, "10.1.1.1");
  client = resolver.resolve(peer, {"", "unknown", ""});
  EXPECT_EQ(client.address, "10.0.0.2");
}

TEST(ClientAddress, ForwardedFromATrustedProxy) {
  const client_address_resolver resolver(proxies({"10.0.0.0/8", "fd00::/8"}), false);
  const auto peer = make_address("fd00::1");
  auto client = resolver.resolve(
      peer, {"for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.3", "", ""});
  EXPECT_EQ(client.address, "2001:db8:cafe::17");
  EXPECT_EQ(client.key, "2001:db8:cafe::/64");
  EXPECT_TRUE(client.https);
  client = resolver.resolve(peer, {"for=_hidden;proto=https", "", ""});
  EXPECT_EQ(client.address, "fd00::1");
  EXPECT_TRUE(client.https);
  // A trusted hop's obfuscated client: the hop it reached.
  client = resolver.resolve(peer, {"for=_hidden, for=10.0.0.3", "", ""});
  EXPECT_EQ(client.address, "10.0.0.3");
}

TEST(ClientAddress, HeadersFromAnUntrustedPeerAreIgnored) {
  const client_address_resolver resolver(proxies({"10.0.0.0/8"}), false);
  const auto client = resolver.resolve(make_address("203.0.113.7"),
                                       {"for=1.1.1.1;proto=https", "1.1.1.1", "https"});
  EXPECT_EQ(client.address, "203.0.113.7");
  EXPECT_FALSE(client.https);
}

TEST(ClientAddress, DisagreeingOrMalformedHeadersMeanTheProxyItself) {
  const client_address_resolver resolver(proxies({"127.0.0.1"}), false);
  const auto peer = make_address("127.0.0.1");
  // The proxy appends to X-Forwarded-For and passes the client's own Forwarded through.
  auto client = resolver.resolve(peer, {"for=1.1.1.1", "203.0.113.7", ""});
  EXPECT_EQ(client.address, "127.0.0.1");
  client = resolver.resolve(peer, {"for=\"1.1.1.1", "203.0.113.7", ""});
  EXPECT_EQ(client.address, "127.0.0.1");
  // Agreeing headers (a proxy that writes both) are fine.
  client = resolver.resolve(peer, {"for=203.0.113.7:5555", "203.0.113.7", ""});
  EXPECT_EQ(client.address, "203.0.113.7");
}

TEST(ClientAddress, HttpsFromATrustedProxyOrThePublicUrl) {
  const client_address_resolver resolver(proxies({"127.0.0.1"}), false);
  const auto peer = make_address("127.0.0.1");
  EXPECT_TRUE(resolver.resolve(peer, {"", "", "HTTPS"}).https);
  EXPECT_TRUE(resolver.resolve(peer, {"", "203.0.113.7", "https, http"}).https);
  EXPECT_FALSE(resolver.resolve(peer, {"", "", "http"}).https);
  EXPECT_FALSE(resolver.resolve(peer, {"", "", ""}).https);
  // Forwarded's proto for the client's element wins over X-Forwarded-Proto.
  EXPECT_FALSE(resolver.resolve(peer, {"for=203.0.113.7;proto=http", "", "https"}).https);
  EXPECT_TRUE(resolver.resolve(peer, {"for=203.0.113.7", "", "https"}).https);

  const client_address_resolver published(trusted_proxies{}, true);
  EXPECT_TRUE(published.resolve(make_address("203.0.113.7"), {"", "", "http"}).https);
}

}  // namespace
}  // namespace chatterbox
