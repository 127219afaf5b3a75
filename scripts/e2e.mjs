// Runs the browser tests with a Chromium found on this machine (see find-browser.mjs).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { findBrowser } from './find-browser.mjs';

const browser = await findBrowser();
if (!browser) {
  console.error(
    [
      'No Chromium or Chrome found for the browser tests.',
      'Install one of:',
      '  node scripts/ensure-tools.mjs  (what `npm test` runs first: apt-get as root on Debian/Ubuntu)',
      '  Debian:          sudo apt-get install -y chromium',
      "  Playwright's:    npx playwright install chromium",
      'or point CHROMIUM_PATH at a Chrome/Chromium executable.',
    ].join('\n'),
  );
  process.exit(1);
}
console.log(`Browser tests use ${browser}`);
const DURATIONS = 'playwright-report/durations.json';
rmSync(DURATIONS, { force: true });
const started = Date.now();
const result = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CHROMIUM_PATH: browser },
});
slowest(Date.now() - started);
process.exit(result.status ?? 1);

/** The slowest tests and files of the run (from the JSON report playwright.config.ts asks for). */
function slowest(wallMs) {
  let report;
  try {
    report = JSON.parse(readFileSync(DURATIONS, 'utf8'));
  } catch {
    return;
  }
  const tests = [];
  const walk = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        tests.push({
          name: `${spec.file}: ${spec.title}`,
          file: spec.file,
          ms: (t.results ?? []).reduce((sum, r) => sum + (r.duration ?? 0), 0),
        });
    for (const child of suite.suites ?? []) walk(child);
  };
  (report.suites ?? []).forEach(walk);
  if (tests.length === 0) return;
  const min = (ms) => `${(ms / 60_000).toFixed(1)} min`;
  const byFile = new Map();
  for (const t of tests) byFile.set(t.file, (byFile.get(t.file) ?? 0) + t.ms);
  const total = tests.reduce((sum, t) => sum + t.ms, 0);
  console.log(
    `\nBrowser tests: ${min(wallMs)} wall, ${min(total)} of test time in ${tests.length} tests (${DURATIONS}).`,
  );
  console.log('Slowest files:');
  for (const [file, ms] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 8))
    console.log(`  ${min(ms).padStart(9)}  ${file}`);
  console.log('Slowest tests:');
  for (const t of tests.sort((a, b) => b.ms - a.ms).slice(0, 8))
    console.log(`  ${min(t.ms).padStart(9)}  ${t.name.slice(0, 110)}`);
}
