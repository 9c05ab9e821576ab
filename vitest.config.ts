import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  plugins: [WxtVitest()],
  test: {
    include: ['tests/unit/**/*.test.{ts,tsx}', 'tests/integration/**/*.test.ts'],
    // A real IndexedDB implementation in memory, so Dexie runs unmodified.
    setupFiles: ['fake-indexeddb/auto'],
    reporters: ['default', ['json', { outputFile: 'test-results/unit.json' }]],
  },
});
