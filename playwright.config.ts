import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  // Google, Microsoft and the CRM on 127.0.0.1 (the ports the e2e build was made with).
  globalSetup: './tests/e2e/global-setup.ts',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // Each test owns a browser with the extension loaded; two cores run them one at a time.
  workers: 1,
  fullyParallel: false,
  // Kept out of `test-results/` itself, which also holds the unit report.
  outputDir: 'test-results/e2e',
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
});
