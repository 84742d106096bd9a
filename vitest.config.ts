import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start a whole local stack per file; CDK synth bundles every function.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
