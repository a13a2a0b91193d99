// Uploads and downloads against the real server (docs/protocol.md, "POST /api/files",
// "GET /api/files/{id}/{name}", "Files").
#include "support/raw_websocket.hpp"
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>


#include <filesystem>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace chatterbox::test_support {
namespace {

namespace fs = std::filesystem;

std::string png_bytes(std::uint32_t width, std::uint32_t height, std::size_t padding = 100) {
  std::string b = "\x89PNG\r\n\x1a\n";
  const auto be32 = [&b](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<char>((v >> shift) & 255));
  };
  be32(13);
  b += "IHDR";
  be32(width);
  be32(height);
  b += std::string("\x08\x06\x00\x00\x00", 5);
  for (std::size_t i = 0; i < padding; ++i) b.push_back(static_cast<char>(i * 7));
  return b;
}

class files_test : public server_test {
 protected:

  fs::path files_dir() const { return dir_ / "chat.db.files"; }

  http_result upload(const std::string& token, std::int64_t room, const std::string& name,
                     const std::string& bytes) {
    return http_request(port(), http::verb::post,
                        "/api/files?room=" + std::to_string(room) + "&name=" + name, bytes,
                        {{"Authorization", "Bearer " + token},
                         {"Content-Type", "application/octet-stream"}});
  }

  http_result download(const std::string& token, std::int64_t id, const std::string& name = "f",
                       const std::map<std::string, std::string>& headers = {}) {
    auto all = headers;
    all["Authorization"] = "Bearer " + token;
    return http_request(port(), http::verb::get,
                        "/api/files/" + std::to_string(id) + "/" + name, "", all);
  }

  // Sends `file` to `room` as `client` and returns the `message` event its sender gets.
  json send_file(ws_client& client, std::int64_t room, std::int64_t file,
                 const std::string& client_id, const std::string& text = "") {
    client.send({{"type", "send"}, {"room", room}, {"client_id", client_id}, {"text", text},
                 {"file", file}});
    client.expect_match([&](const json& e) { return e["type"] == "ack" && e["client_id"] == client_id; },
                        "ack of " + client_id);
    return client.expect_match(
        [&](const json& e) { return e["type"] == "message" && e.contains("file"); }, "message");
  }

  int file_rows() { return std::stoi(stored_value("SELECT count(*) FROM files")); }

  // Files in the files directory, tmp/ included (directories not counted).
  std::vector<std::string> stored_files() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(files_dir(), ec)) {
      if (entry.is_regular_file()) out.push_back(entry.path().string());
    }
    return out;
  }
};

TEST_F(files_test, an_image_uploaded_and_sent_reaches_another_member_byte_exact) {
  const auto alice_token = token_for(port(), "alice");
  const auto bob_token = token_for(port(), "bob");
  auto alice = ws_client::connect(port(), alice_token);
  auto bob = ws_client::connect(port(), bob_token);
  const auto bytes = png_bytes(800, 600, 5000);

  const auto uploaded = upload(alice_token, general, "shot.png", bytes);
  ASSERT_EQ(uploaded.status, 201u) << uploaded.body;
  const auto file = uploaded.body_json();
  EXPECT_EQ(file["name"], "shot.png");
  EXPECT_EQ(file["size"], bytes.size());
  EXPECT_EQ(file["type"], "image/png");
  EXPECT_EQ(file["width"], 800);
  EXPECT_EQ(file["height"], 600);
  const auto id = file["id"].get<std::int64_t>();

  const auto sent = send_file(*alice, general, id, "c-1");
  EXPECT_EQ(sent["text"], "");
  EXPECT_EQ(sent["file"], file);
  const auto received = bob->expect_match(
      [](const json& e) { return e["type"] == "message" && e.contains("file"); }, "message");
  EXPECT_EQ(received["file"], file);
  EXPECT_EQ(bob->history(general)["messages"].back()["file"], file);

  const auto got = download(bob_token, id, "shot.png");
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_EQ(got.body, bytes);
  EXPECT_EQ(got.header("content-type"), "image/png");
  EXPECT_EQ(got.header("content-disposition"), "inline");
  EXPECT_EQ(got.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(got.header("content-security-policy"), "default-src 'none'; sandbox");
  EXPECT_EQ(got.header("accept-ranges"), "bytes");
  EXPECT_EQ(got.header("cache-control"), "private, max-age=31536000, immutable");
  EXPECT_EQ(got.header("etag").size(), 66u);  // a quoted SHA-256 in hex
}

TEST_F(files_test, downloads_need_membership_now_and_a_live_message) {
  const auto alice_token = token_for(port(), "alice");
  const auto bob_token = token_for(port(), "bob");
  const auto carol_token = token_for(port(), "carol");
  auto alice = ws_client::connect(port(), alice_token);
  const auto secret = alice->create_room("private", "secret", {"bob"})["id"].get<std::int64_t>();
  const auto dm = alice->open_dm({"bob"})["id"].get<std::int64_t>();

  for (const auto room : {secret, dm}) {
    const auto id = upload(alice_token, room, "plan.pdf", "%PDF-1.4 secret").body_json()["id"].get<std::int64_t>();
    // Not sent yet: only the uploader sees it.
    EXPECT_EQ(download(alice_token, id).status, 200u);
    EXPECT_EQ(download(bob_token, id).status, 404u);
    send_file(*alice, room, id, "c-" + std::to_string(room));
    EXPECT_EQ(download(bob_token, id).status, 200u);
    const auto refused = download(carol_token, id);
    EXPECT_EQ(refused.status, 404u);
    EXPECT_EQ(refused.body_json()["error"]["code"], "not_found");
    EXPECT_EQ(refused.body.find("secret"), std::string::npos);
  }
  EXPECT_EQ(download(carol_token, 999).status, 404u);
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/files/1/plan.pdf").status, 401u);
}

TEST_F(files_test, a_removed_member_and_a_deleted_message_lose_the_download) {
  const auto alice_token = token_for(port(), "alice");
  const auto bob_token = token_for(port(), "bob");
  auto alice = ws_client::connect(port(), alice_token);
  const auto secret = alice->create_room("private", "secret", {"bob"})["id"].get<std::int64_t>();
  const auto first = upload(alice_token, secret, "a.pdf", "%PDF-1 a").body_json()["id"].get<std::int64_t>();
  const auto second = upload(alice_token, secret, "b.pdf", "%PDF-1 b").body_json()["id"].get<std::int64_t>();
  const auto message = send_file(*alice, secret, first, "c-1");
  send_file(*alice, secret, second, "c-2");
  ASSERT_EQ(download(bob_token, first).status, 200u);

  alice->send({{"type", "delete"}, {"id", message["id"]}});
  alice->expect("deleted");
  EXPECT_EQ(download(bob_token, first).status, 404u);
  EXPECT_EQ(download(alice_token, first).status, 404u);
  EXPECT_EQ(download(bob_token, second).status, 200u);

  alice->send({{"type", "remove_member"}, {"room", secret}, {"user", "bob"}});
  alice->expect_match([](const json& e) { return e["type"] == "room"; }, "room update");
  EXPECT_EQ(download(bob_token, second).status, 404u);
}

TEST_F(files_test, only_the_uploader_can_attach_an_upload_once_to_its_room) {
  const auto alice_token = token_for(port(), "alice");
  const auto bob_token = token_for(port(), "bob");
  auto alice = ws_client::connect(port(), alice_token);
  auto bob = ws_client::connect(port(), bob_token);
  const auto secret = alice->create_room("private", "secret")["id"].get<std::int64_t>();
  const auto theirs = upload(alice_token, secret, "x.bin", "xyz").body_json()["id"].get<std::int64_t>();
  const auto general_file = upload(alice_token, general, "y.bin", "xyz").body_json()["id"].get<std::int64_t>();

  const auto error_of = [](ws_client& c, const json& frame) {
    c.send(frame);
    return c.expect("error");
  };
  // A non-member can neither upload to the room nor attach someone else's upload.
  EXPECT_EQ(upload(bob_token, secret, "z.bin", "z").status, 404u);
  EXPECT_EQ(error_of(*bob, {{"type", "send"}, {"room", general}, {"client_id", "b-1"}, {"text", "x"},
                            {"file", theirs}})["code"], "not_found");
  EXPECT_EQ(error_of(*bob, {{"type", "send"}, {"room", general}, {"client_id", "b-2"}, {"text", ""},
                            {"file", general_file}})["code"], "not_found");
  // The uploader, but in another room than the upload's.
  EXPECT_EQ(error_of(*alice, {{"type", "send"}, {"room", general}, {"client_id", "a-1"},
                              {"file", theirs}})["code"], "not_found");
  EXPECT_EQ(error_of(*alice, {{"type", "send"}, {"room", general}, {"client_id", "a-2"},
                              {"file", 999}})["code"], "not_found");
  send_file(*alice, general, general_file, "a-3");
  EXPECT_EQ(error_of(*alice, {{"type", "send"}, {"room", general}, {"client_id", "a-4"},
                              {"file", general_file}})["code"], "forbidden");
  // Without a file, text is still required.
  EXPECT_EQ(error_of(*alice, {{"type", "send"}, {"room", general}, {"client_id", "a-5"},
                              {"text", " "}})["code"], "text_empty");
}

TEST_F(files_test, the_type_comes_from_the_bytes_not_the_name) {
  const auto token = token_for(port(), "alice");
  auto html = upload(token, general, "page.html", "<html><script>alert(1)</script></html>");
  ASSERT_EQ(html.status, 201u);
  EXPECT_EQ(html.body_json()["type"], "application/octet-stream");
  EXPECT_FALSE(html.body_json().contains("width"));
  const auto page = download(token, html.body_json()["id"].get<std::int64_t>(), "page.html");
  EXPECT_EQ(page.header("content-type"), "application/octet-stream");
  EXPECT_EQ(page.header("content-disposition"), "attachment; filename*=UTF-8''page.html");
  EXPECT_EQ(page.header("x-content-type-options"), "nosniff");

  const auto disguised = upload(token, general, "notes.txt", png_bytes(16, 9));
  ASSERT_EQ(disguised.status, 201u);
  EXPECT_EQ(disguised.body_json()["type"], "image/png");
  EXPECT_EQ(disguised.body_json()["width"], 16);
  const auto image = download(token, disguised.body_json()["id"].get<std::int64_t>(), "notes.txt");
  EXPECT_EQ(image.header("content-type"), "image/png");
  EXPECT_EQ(image.header("content-disposition"), "inline");
}

TEST_F(files_test, names_are_checked_and_paths_dropped) {
  const auto token = token_for(port(), "alice");
  const auto stripped = upload(token, general, "..%2F..%2Fetc%2Fpasswd", "x");
  ASSERT_EQ(stripped.status, 201u);
  EXPECT_EQ(stripped.body_json()["name"], "passwd");
  EXPECT_EQ(upload(token, general, "%C3%A9t%C3%A9.txt", "x").body_json()["name"], "été.txt");
  for (const std::string& bad :
       std::vector<std::string>{"", "a%0Ab", "%FF", "dir%2F", std::string(256, 'a')}) {
    const auto refused = upload(token, general, bad, "x");
    EXPECT_EQ(refused.status, 400u) << bad;
    EXPECT_EQ(refused.body_json()["error"]["code"], "invalid_name") << bad;
  }
  EXPECT_EQ(upload(token, 999, "a.txt", "x").status, 404u);
  EXPECT_EQ(upload("not-a-token", general, "a.txt", "x").status, 401u);
}

TEST_F(files_test, ranges_and_etags) {
  const auto token = token_for(port(), "alice");
  std::string bytes;
  for (int i = 0; i < 10000; ++i) bytes.push_back(static_cast<char>('a' + i % 26));
  const auto id = upload(token, general, "data.bin", bytes).body_json()["id"].get<std::int64_t>();

  const auto whole = download(token, id);
  const auto etag = whole.header("etag");
  const auto cached = download(token, id, "f", {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304u);
  EXPECT_EQ(cached.body, "");
  EXPECT_EQ(download(token, id, "f", {{"If-None-Match", "\"other\""}}).status, 200u);

  const auto part = download(token, id, "f", {{"Range", "bytes=100-199"}});
  EXPECT_EQ(part.status, 206u);
  EXPECT_EQ(part.body, bytes.substr(100, 100));
  EXPECT_EQ(part.header("content-range"), "bytes 100-199/10000");
  const auto tail = download(token, id, "f", {{"Range", "bytes=-10"}});
  EXPECT_EQ(tail.status, 206u);
  EXPECT_EQ(tail.body, bytes.substr(9990));
  const auto from = download(token, id, "f", {{"Range", "bytes=9000-"}});
  EXPECT_EQ(from.body, bytes.substr(9000));
  const auto beyond = download(token, id, "f", {{"Range", "bytes=10000-"}});
  EXPECT_EQ(beyond.status, 416u);
  EXPECT_EQ(beyond.header("content-range"), "bytes */10000");
}

TEST_F(files_test, the_same_bytes_are_stored_once) {
  const auto token = token_for(port(), "alice");
  const auto bytes = png_bytes(4, 4);
  const auto a = upload(token, general, "a.png", bytes).body_json()["id"];
  const auto b = upload(token, general, "b.png", bytes).body_json()["id"];
  EXPECT_NE(a, b);
  EXPECT_EQ(stored_files().size(), 1u);
  EXPECT_EQ(file_rows(), 2);
}

class small_files_test : public files_test {
 protected:
  std::vector<std::string> server_args() override {
    return {"--max-upload-bytes", "300000", "--user-quota-bytes", "500000"};
  }
};

TEST_F(small_files_test, too_large_is_refused_before_the_body_is_read) {
  const auto token = token_for(port(), "alice");
  // Only the header is sent: the answer must come without the body.
  raw_websocket raw(port(), "POST /api/files?room=1&name=big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Authorization: Bearer " + token + "\r\nContent-Length: 300001\r\n\r\n");
  const auto head = raw.response_head();
  EXPECT_NE(head.find("413"), std::string::npos) << head;
  EXPECT_TRUE(raw.ends());
  EXPECT_EQ(file_rows(), 0);

  raw_websocket chunked(port(), "POST /api/files?room=1&name=c.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Authorization: Bearer " + token +
                                "\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_NE(chunked.response_head().find("411"), std::string::npos);
  EXPECT_EQ(upload(token, general, "ok.bin", std::string(300000, 'x')).status, 201u);
}

TEST_F(small_files_test, the_quota_counts_what_a_user_has_stored) {
  const auto alice = token_for(port(), "alice");
  const auto bob = token_for(port(), "bob");
  ASSERT_EQ(upload(alice, general, "1.bin", std::string(250000, '1')).status, 201u);
  ASSERT_EQ(upload(alice, general, "2.bin", std::string(250000, '2')).status, 201u);
  const auto over = upload(alice, general, "3.bin", "3");
  EXPECT_EQ(over.status, 413u);
  EXPECT_EQ(over.body_json()["error"]["code"], "quota_exceeded");
  EXPECT_EQ(upload(bob, general, "3.bin", "3").status, 201u);
}

TEST_F(small_files_test, a_deleted_messages_file_is_removed_and_frees_the_quota) {
  const auto token = token_for(port(), "alice");
  auto alice = ws_client::connect(port(), token);
  const auto first = upload(token, general, "1.bin", std::string(250000, '1'));
  const auto second = upload(token, general, "2.bin", std::string(250000, '2'));
  ASSERT_EQ(second.status, 201u);
  const auto message = send_file(*alice, general, first.body_json()["id"].get<std::int64_t>(), "c-1");
  ASSERT_EQ(upload(token, general, "3.bin", std::string(1000, '3')).status, 413u);

  alice->send({{"type", "delete"}, {"id", message["id"]}});
  alice->expect("deleted");
  EXPECT_EQ(file_rows(), 1);
  EXPECT_EQ(upload(token, general, "3.bin", std::string(1000, '3')).status, 201u);
  // The bytes go too (off the event loop, just after the delete).
  const auto deadline = std::chrono::steady_clock::now() + wait_bound;
  while (stored_files().size() != 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(stored_files().size(), 2u);
}

TEST_F(small_files_test, a_refusal_reaches_a_client_that_sends_its_whole_body_first) {
  // As a browser does: the whole request is written before the answer is read. The server
  // answers 413 from the header and then reads on and discards, so the client's writes do not
  // fail and the answer is still there to read.
  // The body is far larger than the sockets' buffers, so the server has to read it.
  const auto token = token_for(port(), "alice");
  const std::string body(16 * 1024 * 1024, 'b');
  for (int i = 0; i < 2; ++i) {
    const auto over = upload(token, general, "big.bin", body);
    EXPECT_EQ(over.status, 413u);
    EXPECT_EQ(over.body_json()["error"]["code"], "too_large");
  }
  EXPECT_EQ(file_rows(), 0);
}

TEST_F(small_files_test, a_connection_cut_mid_upload_leaves_nothing_behind) {
  const auto token = token_for(port(), "alice");
  {
    raw_websocket raw(port(), "POST /api/files?room=1&name=half.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Authorization: Bearer " + token + "\r\nContent-Length: 200000\r\n\r\n");
    raw.write(std::string(100000, 'h'));
  }  // closed with half the body sent
  ASSERT_TRUE(server_->wait_for_output("ended early")) << server_->output();
  const auto deadline = std::chrono::steady_clock::now() + wait_bound;
  while (!stored_files().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(stored_files().empty());
  EXPECT_EQ(file_rows(), 0);
  // Nor does it count against the quota.
  EXPECT_EQ(upload(token, general, "full.bin", std::string(300000, 'f')).status, 201u);
}

TEST_F(files_test, unfinished_uploads_left_by_a_crash_are_removed_at_start) {
  fs::create_directories(files_dir() / "tmp");
  const auto left = files_dir() / "tmp" / "left.part";
  const auto recent = files_dir() / "tmp" / "recent.part";
  std::ofstream(left) << "half a file";
  std::ofstream(recent) << "half of another";
  fs::last_write_time(left, fs::file_time_type::clock::now() - std::chrono::hours(2));
  restart(server_args());
  EXPECT_FALSE(fs::exists(left));
  // On PostgreSQL the nodes share the directory: a recent one may be another node's upload in
  // progress. A node on SQLite has the directory to itself.
  EXPECT_EQ(fs::exists(recent), testing_on_postgres());
}

}  // namespace
}  // namespace chatterbox::test_support
