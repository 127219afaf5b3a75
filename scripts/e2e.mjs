// Runs the browser tests with a Chromium found on this machine (see find-browser.mjs).
import { spawnSync } from 'node:child_process';
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
const result = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CHROMIUM_PATH: browser },
});
process.exit(result.status ?? 1);
