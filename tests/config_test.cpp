#include "chatterbox/config.hpp"
#include "support/parse_args.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using result = test_support::parse_result;

// No default file (test_support::parse_args): /etc must not change these tests.
result parse(std::initializer_list<std::string> args, std::initializer_list<std::string> env = {}) {
  return test_support::parse_args(args, env);
}
server_config ok(const result& r) { return test_support::parsed_ok(r); }
std::string error_of(const result& r) { return test_support::parse_error(r); }

const std::vector<std::string> all_flags = {"config",
                                            "address",
                                            "port",
                                            "db",
                                            "store",
                                            "bus",
                                            "log-level",
                                            "allowed-origin",
                                            "web-dir",
                                            "synchronous",
                                            "durable",
                                            "token-ttl",
                                            "argon2-ops",
                                            "argon2-mem-kib",
                                            "hash-threads",
                                            "max-pending-logins",
                                            "max-body-bytes",
                                            "max-header-bytes",
                                            "request-timeout",
                                            "max-pending-handshakes",
                                            "handshake-hold-ms",
                                            "max-frame-bytes",
                                            "send-queue-frames",
                                            "send-queue-bytes",
                                            "typing-timeout-ms",
                                            "idle-timeout",
                                            "write-timeout",
                                            "presence-grace",
                                            "presence-expiry",
                                            "db-busy-timeout-ms",
                                            "max-db-bytes",
                                            "message-rate",
                                            "message-burst",
                                            "signal-rate",
                                            "signal-burst",
                                            "query-rate",
                                            "query-burst",
                                            "inbound-frame-rate",
                                            "inbound-byte-rate",
                                            "login-free-failures",
                                            "login-max-delay",
                                            "login-failures-per-address",
                                            "login-attempts-per-minute",
                                            "max-pending-logins-per-address",
                                            "trusted-proxy",
                                            "public-url",
                                            "tls-cert",
                                            "tls-key",
                                            "tls-handshake-timeout",
                                            "http-redirect-port",
                                            "max-connections",
                                            "max-connections-per-user",
                                            "metrics",
                                            "log-format",
                                            "files-dir",
                                            "max-upload-bytes",
                                            "user-quota-bytes"};

TEST(Config, DefaultsWithNoArgumentsOrEnvironment) {
  const auto c = ok(parse({}));
  const server_config d;
  EXPECT_EQ(c.address, "127.0.0.1");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.db_path, "chatterbox.db");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.allowed_origins.empty());
  EXPECT_FALSE(c.web_dir.has_value());
  EXPECT_EQ(c.synchronous, sync_mode::normal);
  EXPECT_EQ(c.token_ttl, d.token_ttl);
  EXPECT_EQ(c.argon2_ops, 2u);
  EXPECT_EQ(c.argon2_mem_kib, 19u * 1024);
  EXPECT_EQ(c.hash_threads, 1u);
  EXPECT_EQ(c.max_pending_logins, 64u);
  EXPECT_EQ(c.max_body_bytes, d.max_body_bytes);
  EXPECT_EQ(c.max_header_bytes, d.max_header_bytes);
  EXPECT_EQ(c.request_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.max_frame_bytes, d.max_frame_bytes);
  EXPECT_EQ(c.send_queue_frames, d.send_queue_frames);
  EXPECT_EQ(c.send_queue_bytes, d.send_queue_bytes);
  EXPECT_EQ(c.typing_timeout, std::chrono::milliseconds(6000));
}

TEST(Config, NullEnvironmentAndZeroArgcAreAccepted) {
  EXPECT_TRUE(std::holds_alternative<server_config>(parse_config(0, nullptr, nullptr, "")));
}

TEST(Config, BothFlagSyntaxesSetEveryOption) {
  const auto c = ok(parse({"--address",
                           "0.0.0.0",
                           "--port=9000",
                           "--db",
                           "/tmp/x.db",
                           "--log-level=debug",
                           "--web-dir",
                           "/srv/web",
                           "--synchronous=full",
                           "--token-ttl",
                           "60",
                           "--argon2-ops=3",
                           "--argon2-mem-kib",
                           "4096",
                           "--hash-threads=4",
                           "--max-pending-logins",
                           "10",
                           "--max-body-bytes=100",
                           "--max-header-bytes",
                           "200",
                           "--request-timeout=5",
                           "--max-frame-bytes",
                           "300",
                           "--send-queue-frames=7",
                           "--send-queue-bytes",
                           "65536",
                           "--typing-timeout-ms=1500"}));
  EXPECT_EQ(c.address, "0.0.0.0");
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.db_path, "/tmp/x.db");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.web_dir, "/srv/web");
  EXPECT_EQ(c.synchronous, sync_mode::full);
  EXPECT_EQ(c.token_ttl, std::chrono::seconds(60));
  EXPECT_EQ(c.argon2_ops, 3u);
  EXPECT_EQ(c.argon2_mem_kib, 4096u);
  EXPECT_EQ(c.hash_threads, 4u);
  EXPECT_EQ(c.max_pending_logins, 10u);
  EXPECT_EQ(c.max_body_bytes, 100u);
  EXPECT_EQ(c.max_header_bytes, 200u);
  EXPECT_EQ(c.request_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.max_frame_bytes, 300u);
  EXPECT_EQ(c.send_queue_frames, 7u);
  EXPECT_EQ(c.send_queue_bytes, 65536u);
  EXPECT_EQ(c.typing_timeout, std::chrono::milliseconds(1500));
}

TEST(Config, ValueAfterEqualsMayContainEqualsAndDashes) {
  EXPECT_EQ(ok(parse({"--db=a=b.db"})).db_path, "a=b.db");
  EXPECT_EQ(ok(parse({"--db=--odd"})).db_path, "--odd");
}

TEST(Config, EnvironmentIsReadForEveryFlag) {
  const auto c =
      ok(parse({}, {"CHATTERBOX_PORT=7000", "CHATTERBOX_DB=env.db", "CHATTERBOX_LOG_LEVEL=warn",
                    "CHATTERBOX_TYPING_TIMEOUT_MS=250", "CHATTERBOX_ARGON2_MEM_KIB=1024",
                    "CHATTERBOX_WEB_DIR=/w", "CHATTERBOX_MAX_PENDING_LOGINS=3", "UNRELATED=1"}));
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.db_path, "env.db");
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.typing_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(c.argon2_mem_kib, 1024u);
  EXPECT_EQ(c.web_dir, "/w");
  EXPECT_EQ(c.max_pending_logins, 3u);
}

TEST(Config, CommandLineWinsOverEnvironment) {
  const auto c = ok(parse({"--port", "1234"}, {"CHATTERBOX_PORT=7000", "CHATTERBOX_DB=env.db"}));
  EXPECT_EQ(c.port, 1234);
  EXPECT_EQ(c.db_path, "env.db");
}

TEST(Config, EnvironmentNameMustMatchExactly) {
  const auto c = ok(parse({}, {"CHATTERBOX_PORTX=1", "CHATTERBOX_POR=2", "CHATTERBOX_PORT"}));
  EXPECT_EQ(c.port, 8080);
}

TEST(Config, EmptyEnvironmentValueIsTreatedAsUnset) {
  EXPECT_EQ(ok(parse({}, {"CHATTERBOX_PORT="})).port, 8080);
}

TEST(Config, LastNonRepeatableFlagWins) {
  EXPECT_EQ(ok(parse({"--port=1", "--port", "2"})).port, 2);
}

TEST(Config, AllowedOriginIsRepeatable) {
  const auto c = ok(
      parse({"--allowed-origin", "https://a.example", "--allowed-origin=http://b.example:8080"}));
  EXPECT_EQ(c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "http://b.example:8080"}));
}

TEST(Config, AllowedOriginEnvironmentIsCommaSeparated) {
  const auto c =
      ok(parse({}, {"CHATTERBOX_ALLOWED_ORIGIN=https://a.example, http://b.example ,,"}));
  EXPECT_EQ(c.allowed_origins, (std::vector<std::string>{"https://a.example", "http://b.example"}));
}

TEST(Config, AllowedOriginOnCommandLineReplacesEnvironmentList) {
  const auto c = ok(parse({"--allowed-origin=https://c.example"},
                          {"CHATTERBOX_ALLOWED_ORIGIN=https://a.example,https://b.example"}));
  EXPECT_EQ(c.allowed_origins, (std::vector<std::string>{"https://c.example"}));
}

TEST(Config, AllowedOriginRejectsPathsAndBareHosts) {
  EXPECT_NE(error_of(parse({"--allowed-origin=https://a.example/"})).find("trailing slash"),
            std::string::npos);
  EXPECT_NE(error_of(parse({"--allowed-origin=a.example"})).find("scheme://host"),
            std::string::npos);
  EXPECT_NE(error_of(parse({}, {"CHATTERBOX_ALLOWED_ORIGIN=https://ok.example,bad"}))
                .find("CHATTERBOX_ALLOWED_ORIGIN"),
            std::string::npos);
}

TEST(Config, LoginThrottlingDefaultsAndFlags) {
  const auto d = ok(parse({}));
  EXPECT_EQ(d.login_free_failures, 5u);
  EXPECT_EQ(d.login_max_delay, std::chrono::seconds(900));
  EXPECT_EQ(d.login_failures_per_address, 100u);
  EXPECT_EQ(d.max_pending_logins_per_address, 16u);
  EXPECT_TRUE(d.trusted_proxies.empty());
  EXPECT_FALSE(d.public_url.has_value());

  const auto c =
      ok(parse({"--login-free-failures=3", "--login-max-delay", "60",
                "--login-failures-per-address=50", "--max-pending-logins-per-address", "4"}));
  EXPECT_EQ(c.login_free_failures, 3u);
  EXPECT_EQ(c.login_max_delay, std::chrono::seconds(60));
  EXPECT_EQ(c.login_failures_per_address, 50u);
  EXPECT_EQ(c.max_pending_logins_per_address, 4u);
  EXPECT_FALSE(error_of(parse({"--login-free-failures=0"})).empty());
  EXPECT_FALSE(error_of(parse({"--login-max-delay=0"})).empty());
}

TEST(Config, LoginAttemptsPerMinuteIsTheOldNameOfThePerAddressCeiling) {
  EXPECT_EQ(ok(parse({"--login-attempts-per-minute", "7"})).login_failures_per_address, 7u);
  EXPECT_EQ(ok(parse({}, {"CHATTERBOX_LOGIN_ATTEMPTS_PER_MINUTE=8"})).login_failures_per_address,
            8u);
}

TEST(Config, TrustedProxyIsRepeatableAndCommaSeparatedInTheEnvironment) {
  const auto c = ok(parse({"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy=::1"}));
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  const auto e = ok(parse({}, {"CHATTERBOX_TRUSTED_PROXY=192.168.0.0/16, fd00::/8 ,"}));
  EXPECT_EQ(e.trusted_proxies, (std::vector<std::string>{"192.168.0.0/16", "fd00::/8"}));
}

TEST(Config, TrustedProxyAndPublicUrlAreValidated) {
  for (const char* bad : {"10.0.0.0/33", "proxy.example.com", "10.0.0.0/", "::/129", "1.2.3"}) {
    EXPECT_NE(error_of(parse({"--trusted-proxy", bad})).find("--trusted-proxy"), std::string::npos)
        << bad;
  }
  EXPECT_NE(error_of(parse({}, {"CHATTERBOX_TRUSTED_PROXY=10.0.0.1,nope"}))
                .find("CHATTERBOX_TRUSTED_PROXY"),
            std::string::npos);
  EXPECT_EQ(ok(parse({"--public-url", "https://chat.example.com"})).public_url,
            "https://chat.example.com");
  EXPECT_EQ(ok(parse({"--public-url=http://localhost:8080/chat"})).public_url,
            "http://localhost:8080/chat");
  for (const char* bad : {"chat.example.com", "https://", "ftp://x", "//chat.example.com"}) {
    EXPECT_NE(error_of(parse({"--public-url", bad})).find("--public-url"), std::string::npos)
        << bad;
  }
}

TEST(Config, StoreIsASQLiteFileOrAPostgresUrl) {
  const auto defaults = ok(parse({}));
  EXPECT_FALSE(defaults.postgres_url);
  EXPECT_EQ(defaults.db_path, "chatterbox.db");
  EXPECT_EQ(ok(parse({"--store", "sqlite:/var/lib/x.db"})).db_path, "/var/lib/x.db");
  const auto pg = ok(parse({"--store=postgres://chat:secret@db.internal/chat"}));
  EXPECT_EQ(pg.postgres_url, "postgres://chat:secret@db.internal/chat");
  EXPECT_EQ(ok(parse({}, {"CHATTERBOX_STORE=postgresql:///chat"})).postgres_url,
            "postgresql:///chat");
  // The last one wins, as for any flag.
  EXPECT_FALSE(ok(parse({"--store", "postgres://h/db", "--store", "sqlite:a.db"})).postgres_url);
  for (const char* bad : {"sqlite:", "mysql://h/db", "chat.db", "redis://h"}) {
    EXPECT_NE(error_of(parse({"--store", bad})).find("--store"), std::string::npos) << bad;
  }
}

TEST(Config, BusIsLocalOrARedisUrl) {
  EXPECT_FALSE(ok(parse({})).redis_url);
  EXPECT_EQ(ok(parse({"--bus", "redis://:secret@cache:6380/2"})).redis_url,
            "redis://:secret@cache:6380/2");
  EXPECT_FALSE(ok(parse({"--bus", "redis://cache", "--bus", "local"})).redis_url);
  for (const char* bad : {"redis", "nats://h", "redis://", "redis://h:99999"}) {
    EXPECT_NE(error_of(parse({"--bus", bad})).find("--bus"), std::string::npos) << bad;
  }
}

TEST(Config, PortRange) {
  EXPECT_EQ(ok(parse({"--port=0"})).port, 0);
  EXPECT_EQ(ok(parse({"--port=65535"})).port, 65535);
  const auto message = error_of(parse({"--port=65536"}));
  EXPECT_NE(message.find("--port"), std::string::npos) << message;
  EXPECT_NE(message.find("0 to 65535"), std::string::npos) << message;
  EXPECT_NE(message.find("65536"), std::string::npos) << message;
}

TEST(Config, NumbersMustBeWholePlainIntegers) {
  for (const char* bad : {"-1", "+1", "1.5", "12abc", " 12", "", "0x10", "99999999999999999999"}) {
    EXPECT_NE(error_of(parse({std::string("--max-body-bytes=") + bad})).find("--max-body-bytes"),
              std::string::npos)
        << bad;
  }
}

TEST(Config, SizesAndTimeoutsMustBePositive) {
  for (const auto& name : {"token-ttl", "hash-threads", "max-pending-logins", "max-body-bytes",
                           "max-header-bytes", "request-timeout", "max-frame-bytes",
                           "send-queue-frames", "send-queue-bytes", "typing-timeout-ms"}) {
    const auto message = error_of(parse({std::string("--") + name + "=0"}));
    EXPECT_NE(message.find(name), std::string::npos) << message;
  }
}

TEST(Config, HandshakeGateDefaultsAndFlags) {
  const auto defaults = ok(parse({}));
  EXPECT_EQ(defaults.max_pending_handshakes, 128u);
  EXPECT_EQ(defaults.handshake_hold, std::chrono::milliseconds(250));
  const auto c = ok(parse({"--max-pending-handshakes=16", "--handshake-hold-ms=40"}));
  EXPECT_EQ(c.max_pending_handshakes, 16u);
  EXPECT_EQ(c.handshake_hold, std::chrono::milliseconds(40));
}

// --- flags added for issue 9 ---

TEST(Config, RobustnessDefaults) {
  const auto c = ok(parse({}));
  EXPECT_EQ(c.write_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.presence_grace, std::chrono::seconds(10));
  EXPECT_EQ(c.db_busy_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.max_db_bytes, 0u);
  EXPECT_EQ(c.query_rate, 20u);
  EXPECT_EQ(c.query_burst, 40u);
  EXPECT_EQ(c.inbound_frame_rate, 200u);
  EXPECT_EQ(c.inbound_byte_rate, 1024u * 1024);
  EXPECT_EQ(c.send_queue_bytes, 4u * 1024 * 1024);
}

TEST(Config, RobustnessFlagsParseFromTheCommandLineAndTheEnvironment) {
  const auto c = ok(parse({"--write-timeout=7", "--presence-grace", "3", "--db-busy-timeout-ms=250",
                           "--max-db-bytes", "1073741824", "--query-rate=5", "--query-burst", "9",
                           "--inbound-frame-rate=50", "--inbound-byte-rate", "2048"}));
  EXPECT_EQ(c.write_timeout, std::chrono::seconds(7));
  EXPECT_EQ(c.presence_grace, std::chrono::seconds(3));
  EXPECT_EQ(c.db_busy_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(c.max_db_bytes, 1073741824u);
  EXPECT_EQ(c.query_rate, 5u);
  EXPECT_EQ(c.query_burst, 9u);
  EXPECT_EQ(c.inbound_frame_rate, 50u);
  EXPECT_EQ(c.inbound_byte_rate, 2048u);

  const auto e =
      ok(parse({}, {"CHATTERBOX_WRITE_TIMEOUT=8", "CHATTERBOX_PRESENCE_GRACE=4",
                    "CHATTERBOX_DB_BUSY_TIMEOUT_MS=100", "CHATTERBOX_MAX_DB_BYTES=4096",
                    "CHATTERBOX_QUERY_RATE=6", "CHATTERBOX_QUERY_BURST=12",
                    "CHATTERBOX_INBOUND_FRAME_RATE=60", "CHATTERBOX_INBOUND_BYTE_RATE=4096"}));
  EXPECT_EQ(e.write_timeout, std::chrono::seconds(8));
  EXPECT_EQ(e.presence_grace, std::chrono::seconds(4));
  EXPECT_EQ(e.db_busy_timeout, std::chrono::milliseconds(100));
  EXPECT_EQ(e.max_db_bytes, 4096u);
  EXPECT_EQ(e.query_rate, 6u);
  EXPECT_EQ(e.query_burst, 12u);
  EXPECT_EQ(e.inbound_frame_rate, 60u);
  EXPECT_EQ(e.inbound_byte_rate, 4096u);
}

TEST(Config, ZeroTurnsOffPresenceGraceBusyWaitAndDatabaseLimit) {
  const auto c = ok(parse({"--presence-grace=0", "--db-busy-timeout-ms=0", "--max-db-bytes=0"}));
  EXPECT_EQ(c.presence_grace, std::chrono::seconds(0));
  EXPECT_EQ(c.db_busy_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(c.max_db_bytes, 0u);
}

TEST(Config, RobustnessRatesAndTimeoutsMustBePositive) {
  for (const auto& name : {"write-timeout", "query-rate", "query-burst", "inbound-frame-rate"}) {
    const auto message = error_of(parse({std::string("--") + name + "=0"}));
    EXPECT_NE(message.find(name), std::string::npos) << message;
  }
}

TEST(Config, InboundByteRateIsAtLeastOneKibibyte) {
  EXPECT_EQ(ok(parse({"--inbound-byte-rate=1024"})).inbound_byte_rate, 1024u);
  const auto message = error_of(parse({"--inbound-byte-rate=1023"}));
  EXPECT_NE(message.find("--inbound-byte-rate"), std::string::npos) << message;
  EXPECT_NE(message.find("1024"), std::string::npos) << message;
}

TEST(Config, SendQueueBytesIsAtLeast64KibibytesSoAReplyAlwaysFits) {
  EXPECT_EQ(ok(parse({"--send-queue-bytes=65536"})).send_queue_bytes, 65536u);
  const auto message = error_of(parse({"--send-queue-bytes=65535"}));
  EXPECT_NE(message.find("--send-queue-bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("65536"), std::string::npos) << message;
  EXPECT_NE(
      error_of(parse({}, {"CHATTERBOX_SEND_QUEUE_BYTES=1000"})).find("CHATTERBOX_SEND_QUEUE_BYTES"),
      std::string::npos);
}

TEST(Config, UpperBoundsKeepDurationsAndRatesSane) {
  EXPECT_EQ(ok(parse({"--presence-grace=86400"})).presence_grace, std::chrono::seconds(86400));
  EXPECT_FALSE(error_of(parse({"--presence-grace=86401"})).empty());
  EXPECT_FALSE(error_of(parse({"--write-timeout=86401"})).empty());
  EXPECT_FALSE(error_of(parse({"--db-busy-timeout-ms=3600001"})).empty());
  EXPECT_FALSE(error_of(parse({"--query-rate=1000001"})).empty());
  EXPECT_FALSE(error_of(parse({"--presence-grace=-1"})).empty());
  // A node's presence key is refreshed every third of the expiry: under 3 s it would churn.
  EXPECT_EQ(ok(parse({})).presence_expiry, std::chrono::seconds(30));
  EXPECT_EQ(ok(parse({"--presence-expiry=3"})).presence_expiry, std::chrono::seconds(3));
  EXPECT_FALSE(error_of(parse({"--presence-expiry=2"})).empty());
  EXPECT_FALSE(error_of(parse({"--presence-expiry=3601"})).empty());
}

TEST(Config, Argon2CostHasLibsodiumMinimum) {
  const auto min_ops = std::to_string(crypto_pwhash_OPSLIMIT_MIN);
  const auto min_kib = std::to_string((crypto_pwhash_MEMLIMIT_MIN + 1023) / 1024);
  EXPECT_EQ(ok(parse({"--argon2-ops", min_ops})).argon2_ops, crypto_pwhash_OPSLIMIT_MIN);
  EXPECT_EQ(ok(parse({"--argon2-mem-kib", min_kib})).argon2_mem_kib * 1024,
            crypto_pwhash_MEMLIMIT_MIN);
  EXPECT_NE(error_of(parse({"--argon2-ops=0"})).find("--argon2-ops"), std::string::npos);
  EXPECT_NE(error_of(parse({"--argon2-mem-kib=" + std::to_string(std::stoull(min_kib) - 1)}))
                .find("--argon2-mem-kib"),
            std::string::npos);
}

TEST(Config, EnumeratedValuesAreChecked) {
  for (const auto* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    EXPECT_EQ(ok(parse({"--log-level", level})).log_level, level);
  }
  EXPECT_NE(error_of(parse({"--log-level=verbose"})).find("verbose"), std::string::npos);
  EXPECT_EQ(ok(parse({"--synchronous=normal"}, {"CHATTERBOX_SYNCHRONOUS=full"})).synchronous,
            sync_mode::normal);
  EXPECT_NE(error_of(parse({"--synchronous=extra"})).find("normal or full"), std::string::npos);
  EXPECT_EQ(ok(parse({"--durable", "on"})).synchronous, sync_mode::full);
  EXPECT_EQ(ok(parse({"--durable=off"}, {"CHATTERBOX_SYNCHRONOUS=full"})).synchronous,
            sync_mode::normal);
  EXPECT_NE(error_of(parse({"--durable=yes"})).find("on or off"), std::string::npos);
}

TEST(Config, EmptyStringsAreRejected) {
  EXPECT_NE(error_of(parse({"--address="})).find("--address"), std::string::npos);
  EXPECT_NE(error_of(parse({"--db", ""})).find("--db"), std::string::npos);
  EXPECT_NE(error_of(parse({"--web-dir="})).find("--web-dir"), std::string::npos);
}

TEST(Config, BadEnvironmentValueNamesTheVariable) {
  const auto message = error_of(parse({}, {"CHATTERBOX_PORT=eighty"}));
  EXPECT_NE(message.find("CHATTERBOX_PORT"), std::string::npos) << message;
  EXPECT_NE(message.find("eighty"), std::string::npos) << message;
}

TEST(Config, BadEnvironmentValueIsIgnoredWhenCommandLineOverridesIt) {
  EXPECT_EQ(ok(parse({"--port=1"}, {"CHATTERBOX_PORT=eighty"})).port, 1);
  EXPECT_EQ(ok(parse({"--allowed-origin=https://a.example"}, {"CHATTERBOX_ALLOWED_ORIGIN=bad"}))
                .allowed_origins.size(),
            1u);
}

TEST(Config, UnknownFlagIsNamed) {
  const auto message = error_of(parse({"--prot", "80"}));
  EXPECT_NE(message.find("--prot"), std::string::npos) << message;
  EXPECT_NE(error_of(parse({"--prot=80"})).find("--prot"), std::string::npos);
}

TEST(Config, FlagNameMustMatchExactly) {
  EXPECT_NE(error_of(parse({"--por=80"})).find("--por"), std::string::npos);
  EXPECT_NE(error_of(parse({"--PORT=80"})).find("--PORT"), std::string::npos);
}

TEST(Config, PositionalArgumentsAreRejected) {
  EXPECT_NE(error_of(parse({"serve"})).find("serve"), std::string::npos);
  EXPECT_NE(error_of(parse({"-p", "80"})).find("-p"), std::string::npos);
  EXPECT_NE(error_of(parse({"--"})).find("--"), std::string::npos);
}

TEST(Config, MissingValueIsReported) {
  const auto at_end = error_of(parse({"--port"}));
  EXPECT_NE(at_end.find("--port"), std::string::npos) << at_end;
  EXPECT_NE(at_end.find("needs a value"), std::string::npos) << at_end;
  const auto before_flag = error_of(parse({"--db", "--port", "80"}));
  EXPECT_NE(before_flag.find("--db"), std::string::npos) << before_flag;
}

TEST(Config, HelpIsReturnedForLongAndShortForms) {
  EXPECT_TRUE(std::holds_alternative<config_help>(parse({"--help"})));
  EXPECT_TRUE(std::holds_alternative<config_help>(parse({"-h"})));
  EXPECT_TRUE(std::holds_alternative<config_help>(parse({"--bogus", "--help"})));
  EXPECT_TRUE(std::holds_alternative<config_help>(parse({"--help"}, {"CHATTERBOX_PORT=bad"})));
  EXPECT_NE(error_of(parse({"--help=yes"})).find("--help"), std::string::npos);
}

TEST(Config, HelpListsEveryFlagWithDefaultAndEnvironmentVariable) {
  const auto r = parse({"--help"});
  ASSERT_TRUE(std::holds_alternative<config_help>(r));
  const auto& text = std::get<config_help>(r).text;
  for (const auto& name : all_flags) {
    std::string env = "CHATTERBOX_";
    for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
    EXPECT_NE(text.find("--" + name + " "), std::string::npos) << name;
    EXPECT_NE(text.find("env: " + env + "\n"), std::string::npos) << env;
  }
  EXPECT_NE(text.find("default: 8080;"), std::string::npos);
  EXPECT_NE(text.find("default: 127.0.0.1;"), std::string::npos);
  EXPECT_NE(text.find("default: chatterbox.db;"), std::string::npos);
  EXPECT_NE(text.find("default: 604800;"), std::string::npos);
  EXPECT_NE(text.find("default: 6000;"), std::string::npos);
  EXPECT_NE(text.find("default: normal;"), std::string::npos);
  EXPECT_NE(text.find("--help"), std::string::npos);
}

TEST(Config, EveryFlagInHelpIsAcceptedByTheParser) {
  // Guards the other direction: nothing documented is unknown to the parser.
  const auto r = parse({"--help"});
  ASSERT_TRUE(std::holds_alternative<config_help>(r));
  const auto& text = std::get<config_help>(r).text;
  std::size_t documented = 0;
  for (std::size_t pos = text.find("\n  --"); pos != std::string::npos;
       pos = text.find("\n  --", pos + 1)) {
    const auto start = pos + 5;
    const auto name = text.substr(start, text.find(' ', start) - start);
    const auto message = parse({"--" + name});  // no value: must be "needs a value"
    ASSERT_TRUE(std::holds_alternative<config_error>(message)) << name;
    EXPECT_NE(std::get<config_error>(message).message.find("needs a value"), std::string::npos)
        << name;
    ++documented;
  }
  EXPECT_EQ(documented, all_flags.size());
}

}  // namespace
}  // namespace chatterbox
