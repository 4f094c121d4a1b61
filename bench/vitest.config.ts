import { defineConfig } from 'vitest/config';

// `npm run bench`: measurements, not tests; each file prints its table and its ratio to the goal.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
