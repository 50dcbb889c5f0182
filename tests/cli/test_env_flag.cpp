#include <gtest/gtest.h>

#include <cstdlib>

#include "hparams/env_flag.h"

using lf::hparams::env_flag;
using lf::hparams::is_truthy;

TEST(EnvFlag, TruthyValuesAsLlamaFactory) {
  for (const char* v : {"true", "TRUE", "True", "y", "Y", "1"}) EXPECT_TRUE(is_truthy(v)) << v;
  for (const char* v : {"", "0", "false", "yes", "on", "2", "n", " 1"}) EXPECT_FALSE(is_truthy(v)) << v;
}

TEST(EnvFlag, ReadsTheEnvironment) {
  const char* name = "LF_TEST_ENV_FLAG";
  unsetenv(name);
  EXPECT_FALSE(env_flag(name));
  setenv(name, "Y", 1);
  EXPECT_TRUE(env_flag(name));
  setenv(name, "off", 1);
  EXPECT_FALSE(env_flag(name));
  unsetenv(name);
}
