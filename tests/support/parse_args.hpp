#pragma once

// parse_config with argv and envp written as plain string lists, for the configuration tests.

#include "chatterbox/config.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

namespace chatterbox::test_support {

using parse_result = std::variant<server_config, config_help, config_error>;

// `default_file` as parse_config takes it: none unless a test names one, so what this machine
// has in /etc/chatterbox never changes a test.
inline parse_result parse_args(std::initializer_list<std::string> args,
                               std::initializer_list<std::string> env = {},
                               const std::string& default_file = "") {
  std::vector<std::string> arg_store{"chatterbox"};
  arg_store.insert(arg_store.end(), args);
  std::vector<std::string> env_store(env);
  std::vector<const char*> argv;
  for (const auto& a : arg_store) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  std::vector<const char*> envp;
  for (const auto& e : env_store) envp.push_back(e.c_str());
  envp.push_back(nullptr);
  return parse_config(static_cast<int>(arg_store.size()), argv.data(), envp.data(), default_file);
}

// The configuration, failing the test when parsing did not give one.
inline server_config parsed_ok(const parse_result& r) {
  if (const auto* error = std::get_if<config_error>(&r)) {
    ADD_FAILURE() << "unexpected config_error: " << error->message;
    return {};
  }
  EXPECT_TRUE(std::holds_alternative<server_config>(r));
  return std::holds_alternative<server_config>(r) ? std::get<server_config>(r) : server_config{};
}

// The error's message, failing the test when parsing did not refuse.
inline std::string parse_error(const parse_result& r) {
  const auto* error = std::get_if<config_error>(&r);
  EXPECT_NE(error, nullptr) << "expected a config_error";
  return error ? error->message : std::string{};
}

}  // namespace chatterbox::test_support
