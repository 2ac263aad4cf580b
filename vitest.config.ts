import { defineConfig } from 'vitest/config';

// Three projects: unit (pure, fake clock, no components), integration (real
// components on 127.0.0.1), e2e (the built CLI as a subprocess). Only the
// projects that need real components start them: their global setup starts
// them once (the second project finds them up and shares them) and the one that
// started them stops them after the run.
const components = 'test/support/global-setup.ts';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: [components],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The container route (testcontainers) against a real Docker engine; its own
        // global setup starts the engine (and builds the images) when needed.
        test: {
          name: 'containers',
          include: ['test/containers/**/*.test.ts'],
          // One file at a time: each ends by checking that the engine holds no container at all.
          fileParallelism: false,
          globalSetup: ['test/support/docker-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: [components],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
