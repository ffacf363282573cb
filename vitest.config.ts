import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A per-run TMPDIR, removed afterwards (test engines are real clusters); KEEP_TEST_TMP=1 keeps it.
    globalSetup: ['test/support/global-setup.ts'],
    // Each file starts real Postgres clusters; two workers suit a 2-core machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
