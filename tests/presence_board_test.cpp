// Who is online on the other nodes, as their snapshots and signals say: the board reports a
// user once when they first show up anywhere else and once when they are gone from everywhere
// else, never lets an older word undo a newer one, and forgets a node whose snapshot expired.

#include "chatterbox/bus/presence_board.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

using ids = std::vector<std::int64_t>;

const present_user alice_elsewhere{1, "alice"};
const present_user bob_elsewhere{2, "bob"};

TEST(presence_board_test, AUserIsOnlineWhileOnAnyOtherNode) {
  presence_board board;
  EXPECT_EQ(board.snapshot("a", 1, {alice_elsewhere, bob_elsewhere}), (ids{1, 2}));
  EXPECT_EQ(board.change("b", 1, alice_elsewhere, true), ids{});   // already online elsewhere
  EXPECT_EQ(board.change("a", 2, alice_elsewhere, false), ids{});  // still on b
  EXPECT_TRUE(board.is_online(1));
  EXPECT_EQ(board.change("b", 2, alice_elsewhere, false), ids{1});
  EXPECT_FALSE(board.is_online(1));
  ASSERT_EQ(board.online_users().size(), 1u);
  EXPECT_EQ(board.online_users()[0], bob_elsewhere);
}

TEST(presence_board_test, AnOlderSnapshotOrSignalDoesNotUndoANewerOne) {
  presence_board board;
  board.snapshot("a", 3, {alice_elsewhere});
  EXPECT_EQ(board.change("a", 4, bob_elsewhere, true), ids{2});
  // A snapshot read before bob's signal was sent: it does not know bob yet.
  EXPECT_EQ(board.snapshot("a", 3, {alice_elsewhere}), ids{});
  EXPECT_TRUE(board.is_online(2));
  // A repeated or older signal changes nothing.
  EXPECT_EQ(board.change("a", 4, bob_elsewhere, false), ids{});
  EXPECT_TRUE(board.is_online(2));
  // A newer snapshot is the whole truth of that node.
  EXPECT_EQ(board.snapshot("a", 6, {bob_elsewhere}), ids{1});
  EXPECT_FALSE(board.is_online(1));
}

TEST(presence_board_test, ANodeWhoseSnapshotExpiredIsForgottenWithItsUsers) {
  presence_board board;
  board.snapshot("a", 1, {alice_elsewhere});
  board.snapshot("b", 1, {alice_elsewhere, bob_elsewhere});
  const auto read = board.begin_read();
  EXPECT_EQ(board.forget_missing({"a"}, read), ids{2});
  EXPECT_EQ(board.node_count(), 1u);
  EXPECT_TRUE(board.is_online(1));
  EXPECT_EQ(board.forget_missing({}, board.begin_read()), ids{1});
  EXPECT_EQ(board.node_count(), 0u);
}

TEST(presence_board_test, ANodeHeardFromAfterTheReadBeganIsKept) {
  presence_board board;
  const auto read = board.begin_read();
  // A node that has just started: its first signal arrives before the read's answer, which
  // was made before its snapshot was written.
  EXPECT_EQ(board.change("new", 1, alice_elsewhere, true), ids{1});
  EXPECT_EQ(board.forget_missing({}, read), ids{});
  EXPECT_TRUE(board.is_online(1));
  // The next read without it does forget it.
  EXPECT_EQ(board.forget_missing({}, board.begin_read()), ids{1});
}

}  // namespace
}  // namespace chatterbox
