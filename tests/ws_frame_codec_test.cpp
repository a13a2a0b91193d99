#include "chatterbox/ws/frame_codec.hpp"

#include "chatterbox/protocol/text.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace chatterbox::ws {
namespace {

// ---- Helpers: building client frames and recording what the reader emits ----

// The RFC 6455 example key: four different bytes, so a wrongly rotated key garbles the payload.
constexpr std::array<std::uint8_t, 4> test_key = {0x37, 0xFA, 0x21, 0x3D};

// A client frame written independently of the encoder under test: `first_byte` as given (FIN,
// RSV bits, opcode), the shortest length encoding, and the payload masked with test_key.
std::string raw_frame(std::uint8_t first_byte, std::string_view payload, bool masked = true) {
  std::string out(1, static_cast<char>(first_byte));
  const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
  const std::uint64_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(mask_bit | n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(mask_bit | 126);
    for (int shift = 8; shift >= 0; shift -= 8) out += static_cast<char>(n >> shift);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>(n >> shift);
  }
  if (masked) out.append(test_key.begin(), test_key.end());
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out += static_cast<char>(masked ? payload[i] ^ test_key[i % 4] : payload[i]);
  }
  return out;
}

std::string frame(opcode op, std::string_view payload, bool fin = true) {
  return raw_frame(static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(op)),
                   payload);
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  payload.append(reason);
  return payload;
}

// An event copied out of the callback, since its views die when the callback returns.
struct received {
  opcode op;
  std::string payload;
  std::uint16_t close_code = 0;
  std::string close_reason;
  bool operator==(const received&) const = default;
};

std::ostream& operator<<(std::ostream& os, const received& r) {
  return os << "{op " << int(r.op) << ", " << r.payload.size() << " bytes \""
            << r.payload.substr(0, 40) << "\", close " << r.close_code << " \"" << r.close_reason
            << "\"}";
}

received message(opcode op, std::string payload) { return {op, std::move(payload), 0, {}}; }

struct reader_output {
  std::vector<received> events;
  read_error error;  // the last feed's result
};

// Feeds `bytes` as consecutive reads cut at `cuts` (ascending offsets); each read gets its own
// buffer, as separate socket reads would.
reader_output feed_cut(message_reader& reader, std::string_view bytes,
                       const std::vector<std::size_t>& cuts = {}) {
  reader_output out;
  std::size_t from = 0;
  auto feed_until = [&](std::size_t to) {
    std::string read(bytes.substr(from, to - from));
    out.error = reader.feed(read.data(), read.size(), [&](const event& e) {
      out.events.push_back(
          {e.op, std::string(e.payload), e.close_code, std::string(e.close_reason)});
      return true;
    });
    from = to;
  };
  for (const std::size_t cut : cuts) feed_until(cut);
  feed_until(bytes.size());
  return out;
}

reader_output feed_bytewise(message_reader& reader, std::string_view bytes) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < bytes.size(); ++i) cuts.push_back(i);
  return feed_cut(reader, bytes, cuts);
}

reader_output read_all(std::string_view bytes, std::size_t max_message_bytes = 1 << 20) {
  message_reader reader(max_message_bytes);
  return feed_cut(reader, bytes);
}

constexpr std::size_t kib = 1024;

// ---- Encoding ----

std::string header_bytes(opcode op, std::uint64_t payload_bytes) {
  std::uint8_t out[max_header_bytes];
  const std::size_t size = encode_header(out, op, payload_bytes);
  return std::string(reinterpret_cast<const char*>(out), size);
}

TEST(ws_frame_codec_test, EncodesHeaderLengths) {
  EXPECT_EQ(header_bytes(opcode::text, 0), std::string("\x81\x00", 2));
  EXPECT_EQ(header_bytes(opcode::text, 125), "\x81\x7D");
  EXPECT_EQ(header_bytes(opcode::text, 126), std::string("\x81\x7E\x00\x7E", 4));
  EXPECT_EQ(header_bytes(opcode::binary, 65535), "\x82\x7E\xFF\xFF");
  EXPECT_EQ(header_bytes(opcode::binary, 65536),
            std::string("\x82\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(ws_frame_codec_test, ControlFrameTruncatesTo125Bytes) {
  EXPECT_EQ(control_frame(opcode::pong, "hi"), "\x8A\x02hi");
  const std::string frame = control_frame(opcode::ping, std::string(200, 'x'));
  EXPECT_EQ(frame, "\x89\x7D" + std::string(125, 'x'));
}

TEST(ws_frame_codec_test, CloseFrameCarriesCodeAndReason) {
  EXPECT_EQ(close_frame(1000, "bye"), std::string("\x88\x05\x03\xE8") + "bye");
  EXPECT_EQ(close_frame(0, "ignored"), std::string("\x88\x00", 2));
}

TEST(ws_frame_codec_test, CloseReasonIsCutAtACodePointBoundary) {
  const std::string fits(123, 'a');
  EXPECT_EQ(close_frame(1001, fits).substr(4), fits);
  // "é" is 2 bytes: at 122 + 2 it would end one byte past the limit, so it is dropped whole.
  EXPECT_EQ(close_frame(1001, std::string(122, 'a') + "\xC3\xA9").substr(4), std::string(122, 'a'));
  const std::string emoji = "\xF0\x9F\x98\x80";
  EXPECT_EQ(close_frame(1001, std::string(121, 'a') + emoji).substr(4), std::string(121, 'a'));
  EXPECT_EQ(close_frame(1001, std::string(119, 'a') + emoji + "b").substr(4),
            std::string(119, 'a') + emoji);
}

// ---- UTF-8 ----

TEST(ws_frame_codec_test, Utf8AcceptsValidText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII, longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("h\xC3\xA9llo \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80"));
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF\xF4\x8F\xBF\xBF"));  // U+FFFF, U+10FFFF
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF\xEE\x80\x80"));      // either side of the surrogates
}

TEST(ws_frame_codec_test, Utf8RejectsInvalidText) {
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));  // truncated
  EXPECT_FALSE(is_valid_utf8("abc\x80"));   // stray continuation
  EXPECT_FALSE(is_valid_utf8("\xC3("));     // lead without continuation
  EXPECT_FALSE(is_valid_utf8(std::string(8, 'a') + "\xFF" + std::string(8, 'a')));  // mid-text
}

// ---- Decoding ----

TEST(ws_frame_codec_test, DecodesAWholeFrameInPlace) {
  message_reader reader(1 * kib);
  std::string read = frame(opcode::text, "Hello, zero-copy world");
  const char* payload_at = nullptr;
  std::string payload;
  const read_error error = reader.feed(read.data(), read.size(), [&](const event& e) {
    payload_at = e.payload.data();
    payload = e.payload;
    return true;
  });
  EXPECT_EQ(error.code, 0);
  EXPECT_EQ(payload, "Hello, zero-copy world");
  // The payload was unmasked where it lay: the last bytes of the read.
  EXPECT_EQ(payload_at, read.data() + read.size() - payload.size());
  EXPECT_TRUE(reader.idle());
  EXPECT_EQ(reader.held_bytes(), 0u);
}

TEST(ws_frame_codec_test, DecodesAFrameFedByteByByte) {
  message_reader reader(1 * kib);
  const auto out = feed_bytewise(reader, frame(opcode::text, "Hello, byte by byte!"));
  EXPECT_EQ(out.error.code, 0);
  EXPECT_EQ(out.events, std::vector{message(opcode::text, "Hello, byte by byte!")});
  EXPECT_TRUE(reader.idle());
}

TEST(ws_frame_codec_test, DecodesSeveralFramesInOneFeed) {
  const auto out =
      read_all(frame(opcode::text, "one") + frame(opcode::binary, "two") +
               frame(opcode::ping, "three") + frame(opcode::pong, "") + frame(opcode::text, ""));
  EXPECT_EQ(out.error.code, 0);
  EXPECT_EQ(out.events, (std::vector{message(opcode::text, "one"), message(opcode::binary, "two"),
                                     message(opcode::ping, "three"), message(opcode::pong, ""),
                                     message(opcode::text, "")}));
}

TEST(ws_frame_codec_test, DecodesExtendedLengths) {
  const std::string medium(300, 'm');
  const std::string large(70'000, 'L');
  const auto out = read_all(frame(opcode::binary, medium) + frame(opcode::binary, large));
  EXPECT_EQ(out.events,
            (std::vector{message(opcode::binary, medium), message(opcode::binary, large)}));
}

// A stream exercising every path: 7- and 16-bit lengths, a fragmented message with a control
// frame between fragments, a close. Cutting it anywhere must not change what is decoded.
TEST(ws_frame_codec_test, DecodesTheSameWhereverTheReadIsCut) {
  std::string binary(200, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i);
  const std::string stream =
      frame(opcode::text, "Hello, world! Longer than eight bytes.") + frame(opcode::ping, "p") +
      frame(opcode::binary, binary) + frame(opcode::text, "frag", false) +
      frame(opcode::ping, "between fragments") + frame(opcode::continuation, "mented", true) +
      frame(opcode::close, close_payload(1000, "bye"));
  const std::vector expected = {
      message(opcode::text, "Hello, world! Longer than eight bytes."),
      message(opcode::ping, "p"),
      message(opcode::binary, binary),
      message(opcode::ping, "between fragments"),
      message(opcode::text, "fragmented"),
      received{opcode::close, close_payload(1000, "bye"), 1000, "bye"},
  };
  ASSERT_EQ(read_all(stream).events, expected);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    message_reader reader(1 * kib);
    const auto out = feed_cut(reader, stream, {cut});
    EXPECT_EQ(out.error.code, 0) << "cut at " << cut;
    EXPECT_EQ(out.events, expected) << "cut at " << cut;
    EXPECT_TRUE(reader.idle()) << "cut at " << cut;
  }
  message_reader reader(1 * kib);
  EXPECT_EQ(feed_bytewise(reader, stream).events, expected);
}

TEST(ws_frame_codec_test, ReassemblesFragmentsAroundAPing) {
  const auto out =
      read_all(frame(opcode::text, "Hel", false) + frame(opcode::ping, "x") +
               frame(opcode::continuation, "lo ", false) + frame(opcode::continuation, "", false) +
               frame(opcode::continuation, "world"));
  EXPECT_EQ(out.error.code, 0);
  EXPECT_EQ(out.events,
            (std::vector{message(opcode::ping, "x"), message(opcode::text, "Hello world")}));
}

TEST(ws_frame_codec_test, DecodesCloseFrames) {
  EXPECT_EQ(read_all(frame(opcode::close, "")).events, std::vector{message(opcode::close, "")});
  const std::string payload = close_payload(4999, "caf\xC3\xA9");
  EXPECT_EQ(read_all(frame(opcode::close, payload)).events,
            (std::vector{received{opcode::close, payload, 4999, "caf\xC3\xA9"}}));
  for (const std::uint16_t code :
       {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000}) {
    EXPECT_EQ(read_all(frame(opcode::close, close_payload(code))).events.at(0).close_code, code);
  }
}

// ---- Protocol errors ----

struct protocol_error_case {
  const char* name;
  std::string bytes;
};

std::string sixty_four_bit_length_with_high_bit() {
  std::string bytes = "\x82\xFF";  // binary, masked, 64-bit length follows
  bytes += std::string("\x80\x00\x00\x00\x00\x00\x00\x01", 8);
  bytes.append(test_key.begin(), test_key.end());
  return bytes;
}

std::vector<protocol_error_case> protocol_error_cases() {
  std::vector<protocol_error_case> cases = {
      {"unmasked", raw_frame(0x81, "hi", false)},
      {"rsv1", raw_frame(0xC1, "hi")},
      {"rsv2", raw_frame(0xA1, "hi")},
      {"rsv3", raw_frame(0x91, "hi")},
      {"fragmented_ping", raw_frame(0x09, "x")},
      {"fragmented_close", raw_frame(0x08, "")},
      {"ping_over_125", frame(opcode::ping, std::string(126, 'x'))},
      {"continuation_first", frame(opcode::continuation, "x")},
      {"text_inside_message", frame(opcode::text, "a", false) + frame(opcode::text, "b")},
      {"binary_inside_message", frame(opcode::binary, "a", false) + frame(opcode::binary, "b")},
      {"length_high_bit", sixty_four_bit_length_with_high_bit()},
      {"close_1_byte", frame(opcode::close, "\x03")},
      {"close_reason_not_utf8", frame(opcode::close, close_payload(1000, "\xFF"))},
  };
  for (const std::uint8_t op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    cases.push_back({"reserved_opcode", raw_frame(static_cast<std::uint8_t>(0x80 | op), "")});
  }
  for (const std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535}) {
    cases.push_back({"invalid_close_code", frame(opcode::close, close_payload(code))});
  }
  return cases;
}

TEST(ws_frame_codec_test, ProtocolErrorsAre1002WhetherFedWholeOrByteByByte) {
  for (const auto& [name, bytes] : protocol_error_cases()) {
    const auto whole = read_all(bytes);
    EXPECT_EQ(whole.error.code, 1002) << name;
    EXPECT_FALSE(whole.error.reason.empty()) << name;
    EXPECT_TRUE(whole.events.empty()) << name;
    message_reader reader(1 * kib);
    EXPECT_EQ(feed_bytewise(reader, bytes).error.code, 1002) << name;
    EXPECT_TRUE(reader.failed()) << name;
  }
}

TEST(ws_frame_codec_test, EventsBeforeAnErrorAreDelivered) {
  const auto out = read_all(frame(opcode::text, "ok") + raw_frame(0x81, "bad", false));
  EXPECT_EQ(out.events, std::vector{message(opcode::text, "ok")});
  EXPECT_EQ(out.error.code, 1002);
}

// ---- Size limit ----

TEST(ws_frame_codec_test, TooBigFrameIsRefusedFromItsHeader) {
  message_reader reader(100);
  const std::string too_big = frame(opcode::binary, std::string(101, 'x'));
  // Only the header (2 bytes + mask key) is fed: no payload needs to arrive to refuse it.
  const auto out = feed_cut(reader, too_big.substr(0, 6));
  EXPECT_EQ(out.error.code, 1009);
  EXPECT_EQ(reader.buffer_capacity(), std::string().capacity() * 2);

  message_reader exact(100);
  EXPECT_EQ(feed_cut(exact, frame(opcode::binary, std::string(100, 'x'))).error.code, 0);
}

TEST(ws_frame_codec_test, HugeAnnouncedLengthIsRefusedFromItsHeader) {
  std::string header = "\x82\xFF";
  header += std::string("\x40\x00\x00\x00\x00\x00\x00\x00", 8);  // 2^62 bytes
  header.append(test_key.begin(), test_key.end());
  EXPECT_EQ(read_all(header).error.code, 1009);
}

TEST(ws_frame_codec_test, FragmentsSummingTooBigAre1009) {
  EXPECT_EQ(read_all(frame(opcode::text, "123456", false) + frame(opcode::continuation, "1234"), 10)
                .error.code,
            0);
  const auto out =
      read_all(frame(opcode::text, "123456", false) + frame(opcode::continuation, "12345"), 10);
  EXPECT_EQ(out.error.code, 1009);
  EXPECT_TRUE(out.events.empty());
}

TEST(ws_frame_codec_test, ControlFramesDoNotCountTowardsTheMessageLimit) {
  const auto out = read_all(frame(opcode::text, "12345", false) + frame(opcode::ping, "123456") +
                                frame(opcode::continuation, "12345"),
                            10);
  EXPECT_EQ(out.error.code, 0);
  EXPECT_EQ(out.events.size(), 2u);
}

// ---- UTF-8 in messages ----

TEST(ws_frame_codec_test, InvalidUtf8TextIs1007) {
  for (const std::string bad : {"\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "ok \xE2\x82"}) {
    const auto out = read_all(frame(opcode::text, bad));
    EXPECT_EQ(out.error.code, 1007);
    EXPECT_TRUE(out.events.empty());
  }
  // A fragmented message whose last fragment leaves a sequence unfinished.
  EXPECT_EQ(read_all(frame(opcode::text, "ok", false) + frame(opcode::continuation, "\xF0\x9F"))
                .error.code,
            1007);
}

TEST(ws_frame_codec_test, BinaryIsNotValidatedAsUtf8) {
  EXPECT_EQ(read_all(frame(opcode::binary, "\xC0\x80\xFF")).error.code, 0);
}

TEST(ws_frame_codec_test, AcceptsMultibyteTextSplitInsideACodePoint) {
  const std::string text = "h\xC3\xA9llo \xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87";
  EXPECT_EQ(read_all(frame(opcode::text, text)).events, std::vector{message(opcode::text, text)});
  // Fragments end in the middle of the emoji: only the whole message must be valid.
  const auto out = read_all(frame(opcode::text, "h\xC3\xA9llo \xF0\x9F", false) +
                            frame(opcode::continuation, "\x98", false) +
                            frame(opcode::continuation, "\x80 \xE4\xB8\xAD\xE6\x96\x87"));
  EXPECT_EQ(out.error.code, 0);
  EXPECT_EQ(out.events, std::vector{message(opcode::text, text)});
}

// ---- Stopping and failure ----

TEST(ws_frame_codec_test, ReturningFalseStopsTheReader) {
  message_reader reader(1 * kib);
  std::string read = frame(opcode::close, "") + frame(opcode::text, "after close") +
                     frame(opcode::text, "partial").substr(0, 5);
  int calls = 0;
  const auto stop = [&](const event&) {
    ++calls;
    return false;
  };
  EXPECT_EQ(reader.feed(read.data(), read.size(), stop).code, 0);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(reader.idle());  // the partial frame was dropped, not kept
  EXPECT_EQ(reader.held_bytes(), 0u);

  std::string more = frame(opcode::text, "later");
  EXPECT_EQ(reader.feed(more.data(), more.size(), stop).code, 0);
  EXPECT_EQ(calls, 1);
}

TEST(ws_frame_codec_test, FailureIsSticky) {
  message_reader reader(1 * kib);
  const auto first = feed_cut(reader, raw_frame(0x81, "x", false));
  ASSERT_EQ(first.error.code, 1002);
  const auto later = feed_cut(reader, frame(opcode::text, "valid"));
  EXPECT_EQ(later.error.code, 1002);
  EXPECT_EQ(later.error.reason, first.error.reason);
  EXPECT_TRUE(later.events.empty());
  EXPECT_TRUE(reader.failed());
}

// ---- Yielding: feed_some ----

// One feed_some call: the events it hands out, its result, and how much it took.
struct partial_feed {
  std::vector<received> events;
  read_error error;
  std::size_t consumed = 0;
};

partial_feed feed_some_once(message_reader& reader, std::string& read, std::size_t max_events,
                            bool keep_reading = true) {
  partial_feed out;
  out.consumed = 12345;  // must be overwritten
  out.error = reader.feed_some(
      read.data(), read.size(), max_events,
      [&](const event& e) {
        out.events.push_back(
            {e.op, std::string(e.payload), e.close_code, std::string(e.close_reason)});
        return keep_reading;
      },
      out.consumed);
  return out;
}

// What a connection does with a read: feed_some at most `max_events` at a time, and feed the
// part not taken again later from a copy (its backlog), until all of it is taken or it fails.
// Checks on the way that no call hands out more than it may, nor leaves anything for later
// without having handed out its full share.
reader_output feed_in_turns(message_reader& reader, std::string_view bytes,
                            std::size_t max_events) {
  reader_output out;
  std::string rest(bytes);
  for (int turn = 0; turn < 100000; ++turn) {
    std::string read = rest;
    const auto fed = feed_some_once(reader, read, max_events);
    EXPECT_LE(fed.events.size(), max_events);
    EXPECT_LE(fed.consumed, read.size());
    if (fed.consumed < read.size()) {
      EXPECT_EQ(fed.events.size(), max_events) << "left bytes for later without a reason";
      // The part not taken has not been looked at (nor unmasked in place).
      EXPECT_EQ(read.substr(fed.consumed), rest.substr(fed.consumed));
    }
    out.events.insert(out.events.end(), fed.events.begin(), fed.events.end());
    out.error = fed.error;
    rest.erase(0, fed.consumed);
    if (rest.empty() || fed.error.code != 0) return out;
  }
  ADD_FAILURE() << "feed_some made no progress";
  return out;
}

TEST(ws_frame_codec_test, FeedSomeStopsAfterMaxEventsAtAFrameBoundary) {
  message_reader reader(1 * kib);
  const std::string one = frame(opcode::text, "one");
  const std::string two = frame(opcode::binary, "two");
  const std::string three = frame(opcode::ping, "three");
  std::string read = one + two + three;

  const auto first = feed_some_once(reader, read, 2);
  EXPECT_EQ(first.error.code, 0);
  EXPECT_EQ(first.events,
            (std::vector{message(opcode::text, "one"), message(opcode::binary, "two")}));
  EXPECT_EQ(first.consumed, one.size() + two.size());
  EXPECT_TRUE(reader.idle());  // nothing of the third frame was taken
  EXPECT_EQ(reader.held_bytes(), 0u);

  std::string rest = read.substr(first.consumed);
  EXPECT_EQ(rest, three);  // untouched, still masked
  const auto second = feed_some_once(reader, rest, 2);
  EXPECT_EQ(second.error.code, 0);
  EXPECT_EQ(second.events, std::vector{message(opcode::ping, "three")});
  EXPECT_EQ(second.consumed, rest.size());
}

TEST(ws_frame_codec_test, FeedSomeWithRoomToSpareTakesEverything) {
  message_reader reader(1 * kib);
  std::string read = frame(opcode::text, "a") + frame(opcode::text, "b");
  const auto fed = feed_some_once(reader, read, 3);
  EXPECT_EQ(fed.events.size(), 2u);
  EXPECT_EQ(fed.consumed, read.size());
}

// The stream of DecodesTheSameWhereverTheReadIsCut, in every share of events per turn and
// with the read cut anywhere: the same events in the same order as one feed() of it all.
TEST(ws_frame_codec_test, FeedSomeInTurnsYieldsWhatFeedDoes) {
  std::string binary(200, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i);
  const std::string stream =
      frame(opcode::text, "Hello, world! Longer than eight bytes.") + frame(opcode::ping, "p") +
      frame(opcode::binary, binary) + frame(opcode::text, "frag", false) +
      frame(opcode::ping, "between fragments") + frame(opcode::continuation, "mented", true) +
      frame(opcode::text, "") + frame(opcode::close, close_payload(1000, "bye"));
  const auto expected = read_all(stream);
  ASSERT_EQ(expected.error.code, 0);
  ASSERT_EQ(expected.events.size(), 7u);

  for (std::size_t max_events = 1; max_events <= 8; ++max_events) {
    message_reader reader(1 * kib);
    const auto out = feed_in_turns(reader, stream, max_events);
    EXPECT_EQ(out.error.code, 0) << max_events;
    EXPECT_EQ(out.events, expected.events) << max_events;
    EXPECT_TRUE(reader.idle()) << max_events;
  }
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    message_reader reader(1 * kib);
    auto out = feed_in_turns(reader, stream.substr(0, cut), 1);
    const auto tail = feed_in_turns(reader, stream.substr(cut), 1);
    out.events.insert(out.events.end(), tail.events.begin(), tail.events.end());
    EXPECT_EQ(tail.error.code, 0) << "cut at " << cut;
    EXPECT_EQ(out.events, expected.events) << "cut at " << cut;
  }
}

TEST(ws_frame_codec_test, FeedSomeTakesAFrameCutByTheEndOfTheRead) {
  message_reader reader(1 * kib);
  const std::string one = frame(opcode::text, "one");
  const std::string two = frame(opcode::text, "two, cut in the middle");
  const std::string three = frame(opcode::text, "three");

  // Room for more events: the start of the cut frame is taken into the reader's buffer.
  std::string first_read = one + two.substr(0, 9);
  const auto first = feed_some_once(reader, first_read, 5);
  EXPECT_EQ(first.events, std::vector{message(opcode::text, "one")});
  EXPECT_EQ(first.consumed, first_read.size());
  EXPECT_FALSE(reader.idle());

  // The rest of it completes the frame, and the share of one event leaves the third for later.
  std::string second_read = two.substr(9) + three;
  const auto second = feed_some_once(reader, second_read, 1);
  EXPECT_EQ(second.events, std::vector{message(opcode::text, "two, cut in the middle")});
  EXPECT_EQ(second.consumed, two.size() - 9);
  EXPECT_TRUE(reader.idle());

  std::string rest = second_read.substr(second.consumed);
  const auto third = feed_some_once(reader, rest, 1);
  EXPECT_EQ(third.events, std::vector{message(opcode::text, "three")});
  EXPECT_EQ(third.consumed, rest.size());
}

TEST(ws_frame_codec_test, FeedSomeLeavesACutFrameForLaterWhenItsShareIsUsedUp) {
  message_reader reader(1 * kib);
  const std::string one = frame(opcode::text, "one");
  const std::string two = frame(opcode::text, "two");
  std::string read = one + two.substr(0, 4);
  const auto first = feed_some_once(reader, read, 1);
  EXPECT_EQ(first.events, std::vector{message(opcode::text, "one")});
  EXPECT_EQ(first.consumed, one.size());
  EXPECT_TRUE(reader.idle());

  // Fed again with the rest of the frame appended, as a backlog followed by the next read.
  std::string later = read.substr(first.consumed) + two.substr(4);
  const auto second = feed_some_once(reader, later, 1);
  EXPECT_EQ(second.events, std::vector{message(opcode::text, "two")});
  EXPECT_EQ(second.consumed, later.size());
}

TEST(ws_frame_codec_test, FeedSomeErrorsReportEverythingConsumed) {
  message_reader reader(1 * kib);
  std::string read =
      frame(opcode::text, "ok") + raw_frame(0x81, "bad", false) + frame(opcode::text, "never");
  const auto fed = feed_some_once(reader, read, 10);
  EXPECT_EQ(fed.events, std::vector{message(opcode::text, "ok")});
  EXPECT_EQ(fed.error.code, 1002);
  EXPECT_EQ(fed.consumed, read.size());  // nothing is left for a backlog

  // Too big is an error like any other; and a failed reader takes everything it is given.
  message_reader small(10);
  std::string too_big = frame(opcode::text, "ok") + frame(opcode::binary, std::string(11, 'x'));
  const auto refused = feed_some_once(small, too_big, 10);
  EXPECT_EQ(refused.error.code, 1009);
  EXPECT_EQ(refused.consumed, too_big.size());
  std::string after = frame(opcode::text, "after");
  const auto again = feed_some_once(small, after, 10);
  EXPECT_EQ(again.error.code, 1009);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.consumed, after.size());
}

TEST(ws_frame_codec_test, FeedSomeReachesAnErrorOnlyInTheTurnThatReadsIt) {
  message_reader reader(1 * kib);
  std::string read = frame(opcode::text, "ok") + raw_frame(0x81, "bad", false);
  const auto first = feed_some_once(reader, read, 1);
  EXPECT_EQ(first.events, std::vector{message(opcode::text, "ok")});
  EXPECT_EQ(first.error.code, 0);
  EXPECT_EQ(first.consumed, frame(opcode::text, "ok").size());
  EXPECT_FALSE(reader.failed());

  std::string rest = read.substr(first.consumed);
  const auto second = feed_some_once(reader, rest, 1);
  EXPECT_TRUE(second.events.empty());
  EXPECT_EQ(second.error.code, 1002);
  EXPECT_EQ(second.consumed, rest.size());
}

TEST(ws_frame_codec_test, FeedSomeStopDropsTheRest) {
  message_reader reader(1 * kib);
  std::string read = frame(opcode::close, close_payload(1000)) + frame(opcode::text, "after") +
                     frame(opcode::text, "partial").substr(0, 5);
  const auto fed = feed_some_once(reader, read, 5, /*keep_reading=*/false);
  EXPECT_EQ(fed.events.size(), 1u);
  EXPECT_EQ(fed.events.at(0).close_code, 1000);
  EXPECT_EQ(fed.error.code, 0);
  EXPECT_EQ(fed.consumed, read.size());  // dropped, so nothing is left for a backlog
  EXPECT_TRUE(reader.idle());
  EXPECT_EQ(reader.held_bytes(), 0u);

  std::string more = frame(opcode::text, "later");
  const auto later = feed_some_once(reader, more, 5);
  EXPECT_TRUE(later.events.empty());
  EXPECT_EQ(later.error.code, 0);
}

// ---- Idle state and memory ----

TEST(ws_frame_codec_test, HeldBytesTrackPartialFrames) {
  message_reader reader(1 * kib);
  EXPECT_TRUE(reader.idle());
  const std::string bytes = frame(opcode::text, "0123456789");  // 6-byte header + 10
  std::vector<received> events;
  auto feed = [&](std::size_t from, std::size_t to) {
    std::string read = bytes.substr(from, to - from);
    reader.feed(read.data(), read.size(), [&](const event& e) {
      events.push_back(message(e.op, std::string(e.payload)));
      return true;
    });
  };
  feed(0, 3);  // part of the header
  EXPECT_FALSE(reader.idle());
  EXPECT_EQ(reader.held_bytes(), 3u);
  feed(3, 6);  // the rest of the header: nothing held, but mid-frame
  EXPECT_FALSE(reader.idle());
  EXPECT_EQ(reader.held_bytes(), 0u);
  feed(6, 10);  // part of the payload
  EXPECT_EQ(reader.held_bytes(), 4u);
  feed(10, bytes.size());
  EXPECT_TRUE(reader.idle());
  EXPECT_EQ(reader.held_bytes(), 0u);
  EXPECT_EQ(events, std::vector{message(opcode::text, "0123456789")});

  // A fragmented message is held until its last fragment.
  std::string first = frame(opcode::text, "abc", false);
  reader.feed(first.data(), first.size(), [](const event&) { return true; });
  EXPECT_FALSE(reader.idle());
  EXPECT_EQ(reader.held_bytes(), 3u);
}

TEST(ws_frame_codec_test, LargeBuffersAreFreedWhenIdle) {
  message_reader reader(1 * kib * kib);
  const std::string big(100 * kib, 'b');
  const std::string bytes = frame(opcode::binary, big);

  std::string head = bytes.substr(0, bytes.size() / 2);
  reader.feed(head.data(), head.size(), [](const event&) { return true; });
  EXPECT_GE(reader.buffer_capacity(), bytes.size() / 2 - 14);
  std::size_t size = 0;
  std::string tail = bytes.substr(bytes.size() / 2);
  reader.feed(tail.data(), tail.size(), [&](const event& e) {
    size = e.payload.size();
    return true;
  });
  EXPECT_EQ(size, big.size());
  EXPECT_TRUE(reader.idle());
  EXPECT_LE(reader.buffer_capacity(), 2 * 4 * kib);

  // The same for a message gathered from fragments that each arrived whole.
  const auto out =
      feed_cut(reader, frame(opcode::text, big, false) + frame(opcode::continuation, big));
  EXPECT_EQ(out.events.at(0).payload.size(), 2 * big.size());
  EXPECT_LE(reader.buffer_capacity(), 2 * 4 * kib);
}

}  // namespace
}  // namespace chatterbox::ws
