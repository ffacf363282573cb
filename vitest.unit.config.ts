import { defineConfig } from 'vitest/config';

// The fast tier: pure logic, no database, no global setup (no TMPDIR, no clusters); runs in seconds.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 10_000,
  },
});
