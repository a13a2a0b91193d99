#include "chatterbox/http/forwarded_header.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

using boost::asio::ip::make_address;
using node_kind = forwarded_node::kind;

TEST(ForwardedNode, AddressesWithAndWithoutPorts) {
  EXPECT_EQ(parse_forwarded_node("192.0.2.60").address, make_address("192.0.2.60"));
  EXPECT_EQ(parse_forwarded_node("192.0.2.60:8080").address, make_address("192.0.2.60"));
  EXPECT_EQ(parse_forwarded_node("[2001:db8:cafe::17]").address, make_address("2001:db8:cafe::17"));
  EXPECT_EQ(parse_forwarded_node("[2001:db8:cafe::17]:4711").address,
            make_address("2001:db8:cafe::17"));
  EXPECT_EQ(parse_forwarded_node("2001:db8::1").address, make_address("2001:db8::1"));
  EXPECT_EQ(parse_forwarded_node("192.0.2.60:_hidden").type, node_kind::address);
  EXPECT_EQ(parse_forwarded_node("[::ffff:1.2.3.4]").address, make_address("::ffff:1.2.3.4"));
}

TEST(ForwardedNode, UnknownObfuscatedAndInvalid) {
  EXPECT_EQ(parse_forwarded_node("unknown").type, node_kind::unknown);
  EXPECT_EQ(parse_forwarded_node("UNKNOWN:80").type, node_kind::unknown);
  EXPECT_EQ(parse_forwarded_node("_hidden").type, node_kind::obfuscated);
  EXPECT_EQ(parse_forwarded_node("_SEVKISEK:_port").type, node_kind::obfuscated);
  for (const char* bad :
       {"", "_", "example.com", "1.2.3", "1.2.3.4:", "1.2.3.4:123456", "1.2.3.4:8a", "[2001:db8::1",
        "[2001:db8::1]x", "[1.2.3.4]", "fe80::1%eth0", "[fe80::1%25eth0]", "01.2.3.4", "1.2.3.4 ",
        "999.1.1.1", "::g"}) {
    EXPECT_EQ(parse_forwarded_node(bad).type, node_kind::invalid) << bad;
  }
  EXPECT_EQ(parse_forwarded_node(std::string_view("1.2.3.4\0", 8)).type, node_kind::invalid);
}

TEST(Forwarded, Rfc7239Examples) {
  auto elements = parse_forwarded("for=\"_gazonk\"");
  ASSERT_TRUE(elements);
  ASSERT_EQ(elements->size(), 1u);
  EXPECT_EQ((*elements)[0].for_node.type, node_kind::obfuscated);

  elements = parse_forwarded("For=\"[2001:db8:cafe::17]:4711\"");
  ASSERT_TRUE(elements);
  EXPECT_EQ((*elements)[0].for_node.address, make_address("2001:db8:cafe::17"));

  elements = parse_forwarded("for=192.0.2.60;proto=http;by=203.0.113.43");
  ASSERT_TRUE(elements);
  EXPECT_EQ((*elements)[0].for_node.address, make_address("192.0.2.60"));
  EXPECT_EQ((*elements)[0].proto, "http");

  elements = parse_forwarded("for=192.0.2.43, for=198.51.100.17");
  ASSERT_TRUE(elements);
  ASSERT_EQ(elements->size(), 2u);
  EXPECT_EQ((*elements)[0].for_node.address, make_address("192.0.2.43"));
  EXPECT_EQ((*elements)[1].for_node.address, make_address("198.51.100.17"));
}

TEST(Forwarded, ListsQuotingAndCase) {
  const auto elements = parse_forwarded(
      " , for=1.1.1.1;PROTO=HTTPS ,,for=\"unknown\";host=\"a;b,c\\\"d\", proto=http;;");
  ASSERT_TRUE(elements);
  ASSERT_EQ(elements->size(), 3u);
  EXPECT_EQ((*elements)[0].proto, "https");
  EXPECT_EQ((*elements)[1].for_node.type, node_kind::unknown);
  EXPECT_EQ((*elements)[2].for_node.type, node_kind::unknown);  // no for= at all
  EXPECT_EQ((*elements)[2].proto, "http");
  // An unquoted bracketed IPv6 is out of grammar, but its meaning is clear.
  const auto sloppy = parse_forwarded("for=[2001:db8::2]:80");
  ASSERT_TRUE(sloppy);
  EXPECT_EQ((*sloppy)[0].for_node.address, make_address("2001:db8::2"));
}

TEST(Forwarded, MalformedHeadersAreRejectedWhole) {
  for (const char* bad : {"for", "for=", "=1.2.3.4", "for=\"1.2.3.4", "for=1.2.3.4 proto=http",
                          "for=1.1.1.1;for=2.2.2.2", "proto=http;proto=https", "for=a\"b\"",
                          "for=1.1.1.1,for=\"x", "\"for\"=1.1.1.1", "for=\"\\"}) {
    EXPECT_FALSE(parse_forwarded(bad)) << bad;
  }
  EXPECT_TRUE(parse_forwarded("for="
                              "\"\"")
                  .has_value());  // an empty quoted value is well-formed (and names nobody)
}

TEST(XForwardedFor, ItemsInOrder) {
  const auto nodes =
      parse_x_forwarded_for("203.0.113.7, 2001:db8::1 ,,[2001:db8::2]:443, unknown, junk");
  ASSERT_EQ(nodes.size(), 5u);
  EXPECT_EQ(nodes[0].address, make_address("203.0.113.7"));
  EXPECT_EQ(nodes[1].address, make_address("2001:db8::1"));
  EXPECT_EQ(nodes[2].address, make_address("2001:db8::2"));
  EXPECT_EQ(nodes[3].type, node_kind::unknown);
  EXPECT_EQ(nodes[4].type, node_kind::invalid);
  EXPECT_TRUE(parse_x_forwarded_for(" , ").empty());
}

TEST(XForwardedProto, FirstValueLowerCased) {
  EXPECT_EQ(first_forwarded_proto("HTTPS"), "https");
  EXPECT_EQ(first_forwarded_proto(" , https, http"), "https");
  EXPECT_EQ(first_forwarded_proto(""), "");
}

}  // namespace
}  // namespace chatterbox
