import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start a whole local stack per file; CDK synth bundles every function.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {
      // The SDK warns once per process that it will need Node 22 from 2027; the README says so once.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
