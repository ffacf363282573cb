import { defineConfig } from 'vitest/config';

// The fast tier: pure logic, no database, no global setup (no TMPDIR, no clusters); runs in seconds.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    pool: 'threads',
    // Pure functions and no shared state: one module graph for every file saves re-importing it per file.
    isolate: false,
    testTimeout: 10_000,
  },
});
