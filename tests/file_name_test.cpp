// Upload names, query parameters and the download's Content-Disposition.
#include "chatterbox/files/file_name.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chatterbox {
namespace {

TEST(file_name, a_path_is_reduced_to_its_last_part) {
  EXPECT_EQ(clean_file_name("shot.png"), "shot.png");
  EXPECT_EQ(clean_file_name("C:\\Users\\me\\shot.png"), "shot.png");
  EXPECT_EQ(clean_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(clean_file_name("photos/été 2026.jpg"), "été 2026.jpg");
}

TEST(file_name, empty_long_invalid_or_control_names_are_refused) {
  EXPECT_FALSE(clean_file_name(""));
  EXPECT_FALSE(clean_file_name("dir/"));
  EXPECT_FALSE(clean_file_name(std::string(256, 'a')));
  EXPECT_TRUE(clean_file_name(std::string(255, 'a')));
  EXPECT_FALSE(clean_file_name("bad\xff.png"));
  EXPECT_FALSE(clean_file_name("line\nbreak.txt"));
  EXPECT_FALSE(clean_file_name(std::string("nul\0.txt", 8)));
  EXPECT_FALSE(clean_file_name("c1\xc2\x85.txt"));  // U+0085, a C1 control
}

TEST(file_name, percent_decoding) {
  EXPECT_EQ(percent_decode("a%20b+c"), "a b c");
  EXPECT_EQ(percent_decode("%C3%A9t%C3%A9"), "été");
  EXPECT_EQ(percent_decode("%2Fetc%2fpasswd"), "/etc/passwd");
  EXPECT_FALSE(percent_decode("100%"));
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("%zz"));
}

TEST(file_name, query_parameters) {
  const std::string_view target = "/api/files?room=12&name=a%20b.png&x";
  EXPECT_EQ(query_parameter(target, "room"), "12");
  EXPECT_EQ(query_parameter(target, "name"), "a%20b.png");
  EXPECT_EQ(query_parameter(target, "x"), "");
  EXPECT_FALSE(query_parameter(target, "nam"));
  EXPECT_FALSE(query_parameter("/api/files", "room"));
}

TEST(file_name, content_disposition_encodes_every_special_byte) {
  EXPECT_EQ(content_disposition("shot.png", false), "inline");
  EXPECT_EQ(content_disposition("report.pdf", true), "attachment; filename*=UTF-8''report.pdf");
  EXPECT_EQ(content_disposition("a \"b\";c\r\n.html", true),
            "attachment; filename*=UTF-8''a%20%22b%22%3Bc%0D%0A.html");
  EXPECT_EQ(content_disposition("été", true), "attachment; filename*=UTF-8''%C3%A9t%C3%A9");
}

}  // namespace
}  // namespace chatterbox
