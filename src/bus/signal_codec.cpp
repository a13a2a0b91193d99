#include "chatterbox/bus/signal_codec.hpp"

#include <nlohmann/json.hpp>

#include <exception>
#include <memory>

namespace chatterbox {
namespace {

using json = nlohmann::json;

const char* kind_name(chat_signal::kind kind) {
  switch (kind) {
    case chat_signal::kind::typing:
      return "typing";
    case chat_signal::kind::receipt:
      return "receipt";
    case chat_signal::kind::to_user:
      return "to_user";
    case chat_signal::kind::presence:
      return "presence";
  }
  return "";
}

std::optional<chat_signal::kind> kind_named(std::string_view name) {
  for (const auto kind : {chat_signal::kind::typing, chat_signal::kind::receipt,
                          chat_signal::kind::to_user, chat_signal::kind::presence}) {
    if (name == kind_name(kind)) return kind;
  }
  return std::nullopt;
}

}  // namespace

std::string encode_signal(const chat_signal& signal, std::string_view origin,
                          std::uint64_t version) {
  json out{{"origin", origin}, {"kind", kind_name(signal.what)}, {"user", signal.user_id}};
  if (signal.room != 0) out["room"] = signal.room;
  if (!signal.username.empty()) out["name"] = signal.username;
  if (signal.active) out["active"] = true;
  if (signal.message_id != 0) out["id"] = signal.message_id;
  if (signal.frame) out["frame"] = *signal.frame;
  if (version != 0) out["version"] = version;
  return out.dump();
}

std::optional<received_signal> decode_signal(std::string_view payload) {
  try {
    const auto in = json::parse(payload);
    const auto kind = kind_named(in.at("kind").get<std::string>());
    if (!kind) return std::nullopt;
    received_signal out;
    out.origin = in.at("origin").get<std::string>();
    out.version = in.value("version", std::uint64_t{0});
    auto& s = out.signal;
    s.what = *kind;
    s.user_id = in.at("user").get<std::int64_t>();
    s.room = in.value("room", std::int64_t{0});
    s.username = in.value("name", std::string{});
    s.active = in.value("active", false);
    s.message_id = in.value("id", std::int64_t{0});
    if (const auto frame = in.find("frame"); frame != in.end()) {
      s.frame = std::make_shared<const std::string>(frame->get<std::string>());
    }
    if (s.what == chat_signal::kind::to_user && !s.frame) return std::nullopt;
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string encode_session_end(const connection_manager::session_end& end,
                               std::string_view origin) {
  return json{{"origin", origin},          {"kind", "session_end"},      {"user", end.user_id},
              {"token", end.token_digest}, {"except", end.except_token}, {"code", end.code},
              {"reason", end.reason}}
      .dump();
}

std::optional<received_session_end> decode_session_end(std::string_view payload) {
  try {
    const auto in = json::parse(payload);
    if (in.at("kind") != "session_end") return std::nullopt;
    received_session_end out;
    out.origin = in.at("origin").get<std::string>();
    auto& e = out.end;
    e.user_id = in.at("user").get<std::int64_t>();
    e.token_digest = in.at("token").get<std::string>();
    e.except_token = in.at("except").get<std::string>();
    e.code = in.at("code").get<std::uint16_t>();
    e.reason = in.at("reason").get<std::string>();
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string encode_presence(const presence_snapshot& snapshot) {
  json users = json::array();
  for (const auto& user : snapshot.users) users.push_back({user.id, user.name});
  return json{{"version", snapshot.version}, {"users", std::move(users)}}.dump();
}

std::optional<presence_snapshot> decode_presence(std::string_view value) {
  try {
    const auto in = json::parse(value);
    presence_snapshot out;
    out.version = in.at("version").get<std::uint64_t>();
    for (const auto& user : in.at("users")) {
      out.users.push_back({user.at(0).get<std::int64_t>(), user.at(1).get<std::string>()});
    }
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace chatterbox
