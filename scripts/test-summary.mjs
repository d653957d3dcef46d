// Prints "N passed, N failed" from vitest's JSON report (the line CI reads). Skipped or pending
// tests count as failed: nothing may pass by being skipped. A missing report is a failure.
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'test-artifacts/vitest.json';
if (!existsSync(path)) {
  console.log('ci: no test report at ' + path);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const r = JSON.parse(readFileSync(path, 'utf8'));
const passed = r.numPassedTests ?? 0;
const failed = (r.numFailedTests ?? 0) + (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const suiteFailures = (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
if (suiteFailures) console.log(`ci: ${suiteFailures} test file(s) failed to load`);
console.log(`${passed} passed, ${failed + suiteFailures} failed`);
process.exit(failed + suiteFailures === 0 && passed > 0 ? 0 : 1);
