import { defineConfig } from 'vitest/config';

// Projects: unit (pure, fake clock, no components), integration (real
// components on 127.0.0.1), e2e (the built CLI as a subprocess), serial (see
// below), containers (a Docker engine). Only the projects that need real
// components start them: their global setup starts them once (the next project
// finds them up and shares them) and the one that started them stops them after
// the run.
//
// Two test files run at a time even on 2 cores (vitest's default there is one):
// most of a file's time is spent waiting on brokers, child processes and
// timeouts. Files that judge timing (chaos scenarios with latency and error
// bounds, the demo), judge the absence of a service's spans in the shared
// Jaeger, or use a fixed address on this machine (the shop's
// `run up` ports 8080-8086, the Kafka proxy address the broker advertises) are
// in projects without file parallelism: vitest runs those files after all the
// others, one at a time, alone, as the whole suite ran before. Inside a file,
// variants of one scenario may run at once (describe.concurrent), each with its
// own shop, Toxiproxy and listen addresses: chaos-shop and chaos-grpc do.
const components = 'test/support/global-setup.ts';
const serial = [
  'test/e2e/chaos-*.test.ts', // phase timing, latency and error bounds; the Kafka proxy address
  'test/e2e/demo*.test.ts', // the same, for the demo's scenarios
  'test/e2e/trace-shop.test.ts', // examples/shop/run up: ports 8080-8086
  'test/integration/shop-launcher.test.ts', // the same
  // Judges that a service never reported a span to the shared Jaeger: another file's shop,
  // with a service of the same name, would report spans in the same window.
  'test/e2e/trace-python.test.ts',
];

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: serial,
          globalSetup: [components],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: serial,
          globalSetup: [components],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'serial',
          include: serial,
          fileParallelism: false,
          globalSetup: [components],
          testTimeout: 300_000,
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
    ],
  },
});
