#include "chatterbox/config_file.hpp"

#include "chatterbox/config.hpp"
#include "support/parse_args.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using result = test_support::parse_result;

std::vector<config_setting> settings_of(const config_file_result& r) {
  if (const auto* error = std::get_if<config_file_error>(&r)) {
    ADD_FAILURE() << "unexpected error: " << error->message;
    return {};
  }
  return std::get<std::vector<config_setting>>(r);
}

std::string file_error_of(const config_file_result& r) {
  const auto* error = std::get_if<config_file_error>(&r);
  EXPECT_NE(error, nullptr) << "expected an error";
  return error ? error->message : std::string{};
}

TEST(ConfigText, BothSyntaxesCommentsAndBlankLines) {
  const auto s =
      settings_of(parse_config_text("# a comment\n"
                                    "\n"
                                    "port = 9000\n"
                                    "  address\t0.0.0.0  \n"
                                    "   # indented comment\n"
                                    "db=/var/lib/x.db\r\n"
                                    "public-url = https://a.example/#x = y",
                                    "f.conf"));
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].name, "port");
  EXPECT_EQ(s[0].value, "9000");
  EXPECT_EQ(s[0].line, 3u);
  EXPECT_EQ(s[1].name, "address");
  EXPECT_EQ(s[1].value, "0.0.0.0");
  EXPECT_EQ(s[1].line, 4u);
  EXPECT_EQ(s[2].name, "db");
  EXPECT_EQ(s[2].value, "/var/lib/x.db");  // a CRLF file reads the same
  // The value is the rest of the line, '#' and '=' included.
  EXPECT_EQ(s[3].value, "https://a.example/#x = y");
  EXPECT_EQ(s[3].line, 7u);
}

TEST(ConfigText, EmptyTextHasNoSettings) {
  EXPECT_TRUE(settings_of(parse_config_text("", "f.conf")).empty());
  EXPECT_TRUE(settings_of(parse_config_text("\n\n# only comments\n", "f.conf")).empty());
}

TEST(ConfigText, SyntaxErrorsNameFileAndLine) {
  const auto missing = file_error_of(parse_config_text("\nport =\n", "/etc/c.conf"));
  EXPECT_EQ(missing, "/etc/c.conf:2: 'port' needs a value");
  EXPECT_EQ(file_error_of(parse_config_text("port\n", "c")), "c:1: 'port' needs a value");
  EXPECT_EQ(file_error_of(parse_config_text("= 80\n", "c")), "c:1: expected `name = value`");
  EXPECT_EQ(file_error_of(parse_config_text("a = 1\n--port 80\n", "c")),
            "c:2: write 'port' without the leading --");
}

class ConfigFile : public test_support::temp_dir_test {
 protected:
  std::string write(std::string_view name, const std::string& text) {
    const auto path = file(name);
    std::ofstream(path) << text;
    return path;
  }

  static result parse(std::initializer_list<std::string> args,
                      std::initializer_list<std::string> env = {},
                      const std::string& default_file = "") {
    return test_support::parse_args(args, env, default_file);
  }
  static server_config ok(const result& r) { return test_support::parsed_ok(r); }
  static std::string error_of(const result& r) { return test_support::parse_error(r); }
};

TEST_F(ConfigFile, ConfigFlagReadsTheFile) {
  const auto path = write("c.conf",
                          "port = 9000\n"
                          "db /srv/chat.db\n"
                          "log-level = debug\n"
                          "metrics = true\n"
                          "durable = true\n"
                          "allowed-origin = https://a.example\n"
                          "allowed-origin = https://b.example\n"
                          "token-ttl = 60\n");
  for (const auto& c : {ok(parse({"--config", path})), ok(parse({"--config=" + path}))}) {
    EXPECT_EQ(c.port, 9000);
    EXPECT_EQ(c.db_path, "/srv/chat.db");
    EXPECT_EQ(c.log_level, "debug");
    EXPECT_TRUE(c.metrics);
    EXPECT_EQ(c.synchronous, sync_mode::full);
    EXPECT_EQ(c.allowed_origins,
              (std::vector<std::string>{"https://a.example", "https://b.example"}));
    EXPECT_EQ(c.token_ttl, std::chrono::seconds(60));
    EXPECT_EQ(c.address, "127.0.0.1");  // not in the file: the built-in default
    EXPECT_EQ(c.config_file, path);
  }
}

TEST_F(ConfigFile, BooleansAreTrueFalseOrOnOff) {
  EXPECT_FALSE(ok(parse({"--config", write("a", "metrics = false\n")})).metrics);
  EXPECT_TRUE(ok(parse({"--config", write("b", "metrics = on\n")})).metrics);
  EXPECT_EQ(ok(parse({"--config", write("c", "durable = false\n")})).synchronous,
            sync_mode::normal);
  EXPECT_TRUE(ok(parse({"--metrics=true"})).metrics);
  EXPECT_EQ(error_of(parse({"--config", write("d", "metrics = yes\n")})),
            file("d") + ":1: metrics: expected on or off (or true or false), got 'yes'");
}

TEST_F(ConfigFile, PrecedenceIsDefaultsFileEnvironmentCommandLine) {
  const auto path = write("c.conf", "port = 9000\ndb = file.db\nlog-level = warn\naddress = ::1\n");
  const auto c = ok(parse({"--config", path, "--port", "9002"},
                          {"CHATTERBOX_PORT=9001", "CHATTERBOX_DB=env.db"}));
  EXPECT_EQ(c.port, 9002);         // command line over environment and file
  EXPECT_EQ(c.db_path, "env.db");  // environment over file
  EXPECT_EQ(c.log_level, "warn");  // file over default
  EXPECT_EQ(c.address, "::1");
  EXPECT_EQ(c.max_body_bytes, server_config{}.max_body_bytes);  // default
}

TEST_F(ConfigFile, EnvironmentAndCommandLineReplaceARepeatableList) {
  const auto path = write("c.conf", "trusted-proxy = 10.0.0.0/8\ntrusted-proxy = ::1\n");
  EXPECT_EQ(ok(parse({"--config", path})).trusted_proxies.size(), 2u);
  EXPECT_EQ(ok(parse({"--config", path}, {"CHATTERBOX_TRUSTED_PROXY=127.0.0.1"})).trusted_proxies,
            std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(ok(parse({"--config", path, "--trusted-proxy", "192.168.0.1"})).trusted_proxies,
            std::vector<std::string>{"192.168.0.1"});
}

TEST_F(ConfigFile, AnAliasInAHigherLayerStillWins) {
  // synchronous and durable set the same thing; the environment's word is the last.
  const auto path = write("c.conf", "synchronous = full\n");
  EXPECT_EQ(ok(parse({"--config", path}, {"CHATTERBOX_DURABLE=off"})).synchronous,
            sync_mode::normal);
}

TEST_F(ConfigFile, EnvironmentVariableNamesTheFile) {
  const auto path = write("c.conf", "port = 9000\n");
  EXPECT_EQ(ok(parse({}, {"CHATTERBOX_CONFIG=" + path})).port, 9000);
  const auto other = write("d.conf", "port = 9001\n");
  EXPECT_EQ(ok(parse({"--config", other}, {"CHATTERBOX_CONFIG=" + path})).port, 9001);
  EXPECT_EQ(ok(parse({}, {"CHATTERBOX_CONFIG="}, file("absent.conf"))).port, 8080);
}

TEST_F(ConfigFile, DefaultFileIsReadOnlyIfItExists) {
  const auto c = ok(parse({}, {}, file("absent.conf")));
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.config_file, "");
  const auto path = write("default.conf", "port = 9000\n");
  const auto d = ok(parse({}, {}, path));
  EXPECT_EQ(d.port, 9000);
  EXPECT_EQ(d.config_file, path);
  // An explicit file replaces the default one, which is then not read at all.
  write("broken.conf", "nonsense = 1\n");
  EXPECT_EQ(ok(parse({"--config", path}, {}, file("broken.conf"))).port, 9000);
}

TEST_F(ConfigFile, ExplicitFileMustExist) {
  const auto missing = file("absent.conf");
  const auto from_flag = error_of(parse({"--config", missing}));
  EXPECT_EQ(from_flag, "configuration file " + missing + ": No such file or directory");
  EXPECT_NE(error_of(parse({}, {"CHATTERBOX_CONFIG=" + missing})).find(missing), std::string::npos);
  EXPECT_NE(error_of(parse({"--config", dir_.string()})).find("directory"), std::string::npos);
  EXPECT_NE(error_of(parse({"--config="})).find("--config"), std::string::npos);
  EXPECT_NE(error_of(parse({"--config"})).find("needs a value (FILE)"), std::string::npos);
}

TEST_F(ConfigFile, UnknownSettingNamesFileAndLine) {
  const auto path = write("c.conf", "# comment\nport = 9000\nprot = 80\n");
  EXPECT_EQ(error_of(parse({"--config", path})),
            path + ":3: unknown setting 'prot'; see chatterbox --help");
  // `config` is an option of the command line, not a setting: files do not chain.
  const auto chained = write("d.conf", "config = /etc/other.conf\n");
  EXPECT_NE(error_of(parse({"--config", chained})).find(":1: unknown setting 'config'"),
            std::string::npos);
  // Unknown even when the command line sets everything else.
  EXPECT_NE(error_of(parse({"--config", path, "--port", "1"})).find(":3:"), std::string::npos);
}

TEST_F(ConfigFile, BadValueNamesFileLineAndSetting) {
  const auto path = write("c.conf", "\n\nport = eighty\n");
  EXPECT_EQ(error_of(parse({"--config", path})),
            path + ":3: port: expected an integer from 0 to 65535, got 'eighty'");
  const auto origin = write("d.conf", "allowed-origin = https://a.example/\n");
  EXPECT_NE(error_of(parse({"--config", origin})).find(":1: allowed-origin: "), std::string::npos);
  const auto syntax = write("e.conf", "port\n");
  EXPECT_EQ(error_of(parse({"--config", syntax})), syntax + ":1: 'port' needs a value");
}

TEST_F(ConfigFile, BadValueIsIgnoredWhenOverriddenAbove) {
  // As for the environment: a broken file can be worked around without editing it.
  const auto path = write("c.conf", "port = eighty\n");
  EXPECT_EQ(ok(parse({"--config", path, "--port", "1"})).port, 1);
  EXPECT_EQ(ok(parse({"--config", path}, {"CHATTERBOX_PORT=2"})).port, 2);
}

TEST_F(ConfigFile, SettingTwiceIsAnError) {
  const auto path = write("c.conf", "port = 9000\ndb = a.db\nport = 9001\n");
  EXPECT_EQ(error_of(parse({"--config", path})), path + ":3: 'port' is already set on line 1");
}

TEST_F(ConfigFile, CommandLineErrorsComeBeforeFileErrors) {
  const auto path = write("c.conf", "prot = 80\n");
  EXPECT_NE(error_of(parse({"--config", path, "--bogus=1"})).find("--bogus"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<config_help>(parse({"--config", path, "--help"})));
}

TEST_F(ConfigFile, HugeFileIsRefused) {
  const auto path = write("huge.conf", std::string(2 * 1024 * 1024, '#'));
  EXPECT_NE(error_of(parse({"--config", path})).find("larger than 1 MiB"), std::string::npos);
}

// The file the Debian package installs as /etc/chatterbox/chatterbox.conf: it must be valid as
// shipped and with every commented line uncommented, name every option, and its commented
// values must be the real defaults (the ones --help shows).
TEST_F(ConfigFile, PackagedFileShowsEveryOptionWithItsDefault) {
  const std::string packaged = CHATTERBOX_SOURCE_DIR "/packaging/chatterbox.conf";
  const auto shipped = ok(parse({"--config", packaged}));
  EXPECT_EQ(shipped.db_path, "/var/lib/chatterbox/chatterbox.db");
  EXPECT_EQ(shipped.port, 8080);

  std::ifstream in(packaged);
  std::string uncommented;
  std::vector<std::pair<std::string, std::string>> shown;  // name, value of "# name = value"
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find(" = ");
    if (line.starts_with("# ") && eq != std::string::npos &&
        line.find(' ', 2) == eq) {  // "# name = value", not prose
      shown.emplace_back(line.substr(2, eq - 2), line.substr(eq + 3));
      line = line.substr(2);
    }
    uncommented.append(line).append("\n");
  }
  const auto all = ok(parse({"--config", write("all.conf", uncommented)}));
  EXPECT_EQ(all.db_path, "/var/lib/chatterbox/chatterbox.db");

  const auto help = std::get<config_help>(parse({"--help"})).text;
  std::size_t options = 0;
  for (auto at = help.find("\n  --"); at != std::string::npos; at = help.find("\n  --", at + 1)) {
    const auto name = help.substr(at + 5, help.find(' ', at + 5) - (at + 5));
    const auto block_end = help.find("\n  -", at + 1);
    const auto block = help.substr(at, block_end - at);
    if (name == "config" || block.find("Deprecated") != std::string::npos) continue;
    ++options;
    const auto default_at = block.find("default: ") + 9;
    const auto default_value = block.substr(default_at, block.find(';', default_at) - default_at);
    bool found = name == "db";
    for (const auto& [key, value] : shown) {
      if (key != name) continue;
      found = true;
      // No default ("none", "<db>.files"): the file shows an example instead.
      if (default_value != "none" && default_value.find('<') == std::string::npos) {
        EXPECT_EQ(value, default_value) << name;
      }
    }
    EXPECT_TRUE(found) << name << " is not in packaging/chatterbox.conf";
  }
  EXPECT_GT(options, 40u);
}

}  // namespace
}  // namespace chatterbox
