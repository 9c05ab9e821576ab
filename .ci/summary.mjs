// Sums the unit (vitest) and end-to-end (Playwright) JSON reports into one line:
// "N passed, N failed" (", N skipped" when any were skipped). A suite without a report did not
// run (an earlier step failed); it is named, and the run counts as failed.
import { existsSync, readFileSync } from 'node:fs';

const totals = { passed: 0, failed: 0, skipped: 0 };
let missing = false;

function read(path, name) {
  if (!existsSync(path)) {
    console.log(`${name}: no report at ${path}; the suite did not run`);
    missing = true;
    return null;
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

const unit = read('test-results/unit.json', 'unit');
if (unit) {
  totals.passed += unit.numPassedTests;
  totals.failed += unit.numFailedTests;
  totals.skipped += unit.numPendingTests + unit.numTodoTests;
}
const e2e = read('test-results/e2e.json', 'e2e');
if (e2e) {
  totals.passed += e2e.stats.expected + e2e.stats.flaky;
  totals.failed += e2e.stats.unexpected;
  totals.skipped += e2e.stats.skipped;
}

const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(totals.failed > 0 || missing ? 1 : 0);
