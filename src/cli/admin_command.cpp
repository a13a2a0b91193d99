#include "chatterbox/cli/admin_command.hpp"

#include "chatterbox/auth/sodium_init.hpp"
#include "chatterbox/clock.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/storage/account_admin.hpp"
#include "chatterbox/storage/database.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace chatterbox {
namespace {

constexpr std::string_view usage =
    "usage: chatterbox admin list-users [--db PATH]\n"
    "       chatterbox admin promote USER [--db PATH]\n"
    "       chatterbox admin demote USER [--db PATH]\n"
    "       chatterbox admin reset-password USER [--db PATH]\n";

// 20 letters and digits from libsodium's generator: ~119 bits, typed once by the user.
std::string random_password() {
  static constexpr std::string_view alphabet =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // no l/1/I/O/0
  std::string out;
  for (int i = 0; i < 20; ++i) {
    out.push_back(alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))]);
  }
  return out;
}

std::string day_of(std::int64_t epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M", &utc);
  return text.data();
}

int list_users(account_admin& admin) {
  const auto users = admin.list(epoch_ms());
  std::size_t width = 8;
  for (const auto& u : users) width = std::max(width, u.username.size());
  std::cout << std::left << std::setw(static_cast<int>(width)) << "USERNAME" << "  ROLE    "
            << "CREATED (UTC)     SESSIONS\n";  // then "deactivated" when so
  for (const auto& u : users) {
    std::cout << std::left << std::setw(static_cast<int>(width)) << u.username << "  "
              << std::setw(6) << (u.admin ? "admin" : "member") << "  " << day_of(u.created_at)
              << "  " << std::setw(8) << u.sessions << (u.deactivated ? "deactivated" : "")
              << "\n";
  }
  return 0;
}

int change_role(SQLite::Database& db, account_admin& admin, const std::string& user, bool to_admin) {
  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  const auto result = admin.set_admin(user, to_admin, std::nullopt, epoch_ms());
  transaction.commit();
  switch (result.outcome) {
    case account_change::done:
      std::cout << user << " is now " << (to_admin ? "an administrator" : "a member") << "\n";
      return 0;
    case account_change::unchanged:
      std::cout << user << " already is " << (to_admin ? "an administrator" : "a member") << "\n";
      return 0;
    case account_change::no_such_user:
      std::cerr << "chatterbox admin: no user called " << user << "\n";
      return 1;
    case account_change::last_admin:
    case account_change::self:
      std::cerr << "chatterbox admin: " << user
                << " is the last administrator; promote another user first\n";
      return 1;
  }
  return 1;
}

int reset_password(SQLite::Database& db, account_admin& admin, const server_config& config,
                   const std::string& user) {
  const auto password = random_password();
  std::array<char, crypto_pwhash_STRBYTES> hash{};
  if (crypto_pwhash_str(hash.data(), password.data(), password.size(), config.argon2_ops,
                        static_cast<std::size_t>(config.argon2_mem_kib) * 1024) != 0) {
    std::cerr << "chatterbox admin: not enough memory to hash the password\n";
    return 1;
  }
  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  const auto result = admin.replace_password(user, hash.data(), std::nullopt, epoch_ms());
  transaction.commit();
  if (result.outcome == account_change::no_such_user) {
    std::cerr << "chatterbox admin: no user called " << user << "\n";
    return 1;
  }
  std::cout << "new password for " << user << ": " << password << "\n"
            << "Every session of " << user << " has ended; pages still open stay connected "
            << "until they reconnect.\n";
  return 0;
}

}  // namespace

int run_admin_command(int argc, const char* const* argv, const char* const* envp) {
  const std::string_view command = argc > 2 ? argv[2] : "";
  const bool needs_user = command == "promote" || command == "demote" || command == "reset-password";
  if (command != "list-users" && !needs_user) {
    std::cerr << usage;
    return command == "--help" || command == "-h" ? 0 : 2;
  }
  const int first_option = needs_user ? 4 : 3;
  if (needs_user && (argc < 4 || std::string_view(argv[3]).starts_with("-"))) {
    std::cerr << usage;
    return 2;
  }
  std::vector<const char*> options{argv[0]};
  for (int i = first_option; i < argc; ++i) options.push_back(argv[i]);
  options.push_back(nullptr);
  const auto parsed = parse_config(static_cast<int>(options.size() - 1), options.data(), envp);
  if (std::holds_alternative<config_help>(parsed)) {
    std::cout << usage;
    return 0;
  }
  if (const auto* error = std::get_if<config_error>(&parsed)) {
    std::cerr << "chatterbox admin: " << error->message << "\n";
    return 2;
  }
  const auto& config = std::get<server_config>(parsed);
  if (refused_on_postgres(config, "admin", "not yet (docs/scale-out.md)")) return 2;
  if (std::error_code ec; !std::filesystem::exists(config.db_path, ec)) {
    std::cerr << "chatterbox admin: no database at " << config.db_path << " (see --db)\n";
    return 1;
  }
  try {
    ensure_sodium();
    database db(config.db_path, config.synchronous);
    account_admin admin(db.handle());
    if (command == "list-users") return list_users(admin);
    const std::string user = argv[3];
    if (command == "reset-password") return reset_password(db.handle(), admin, config, user);
    return change_role(db.handle(), admin, user, command == "promote");
  } catch (const std::exception& e) {
    std::cerr << "chatterbox admin: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace chatterbox
