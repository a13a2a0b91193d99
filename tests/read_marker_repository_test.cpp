#include "chatterbox/storage/read_marker_repository.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace chatterbox {
namespace {

using markers = std::map<std::string, std::int64_t>;

class read_marker_repository_test : public test_support::temp_db_test {
 protected:
  void SetUp() override {
    temp_db_test::SetUp();
    alice_ = add_user("alice");
    bob_ = add_user("Bob");
  }
  void attach() override { markers_.emplace(handle()); }
  void detach() override { markers_.reset(); }

  std::optional<read_marker_repository> markers_;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
};

TEST_F(read_marker_repository_test, NoMarkersInitially) {
  EXPECT_TRUE(markers_->all_markers().empty());
}

TEST_F(read_marker_repository_test, FirstAdvanceCreatesMarker) {
  EXPECT_TRUE(markers_->advance(alice_, 42));
  EXPECT_EQ(markers_->all_markers(), (markers{{"alice", 42}}));
}

TEST_F(read_marker_repository_test, MarkerNeverMovesBackwards) {
  ASSERT_TRUE(markers_->advance(alice_, 42));
  EXPECT_FALSE(markers_->advance(alice_, 41));
  EXPECT_FALSE(markers_->advance(alice_, 1));
  EXPECT_FALSE(markers_->advance(alice_, 42));  // same id is not a move either
  EXPECT_EQ(markers_->all_markers(), (markers{{"alice", 42}}));

  EXPECT_TRUE(markers_->advance(alice_, 43));
  EXPECT_EQ(markers_->all_markers(), (markers{{"alice", 43}}));
}

TEST_F(read_marker_repository_test, UsersHaveIndependentMarkers) {
  EXPECT_TRUE(markers_->advance(alice_, 10));
  EXPECT_TRUE(markers_->advance(bob_, 5));
  EXPECT_TRUE(markers_->advance(bob_, 7));
  EXPECT_FALSE(markers_->advance(alice_, 7));
  EXPECT_EQ(markers_->all_markers(), (markers{{"Bob", 7}, {"alice", 10}}));
}

TEST_F(read_marker_repository_test, MarkersSurviveReopen) {
  ASSERT_TRUE(markers_->advance(alice_, 42));
  reopen();
  EXPECT_EQ(markers_->all_markers(), (markers{{"alice", 42}}));
  EXPECT_FALSE(markers_->advance(alice_, 40));
}

}  // namespace
}  // namespace chatterbox
