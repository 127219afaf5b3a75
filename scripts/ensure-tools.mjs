// The first step of `npm test`: makes sure the tools the tests need are on this machine —
// a Chromium for the browser tests, and a Python 3 with torch, Pillow and pytest for the
// PyTorch runner's tests. On Debian or Ubuntu, as root or with password-free sudo, it
// installs what is missing with apt-get; anywhere else it stops at once with the one
// command to run. THAW_PYTHON names another Python (as in runner/run-tests.sh).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { findBrowser } from './find-browser.mjs';

export const PYTHON_PACKAGES = ['python3-torch', 'python3-pil', 'python3-pytest'];
const PIP = 'python3 -m pip install torch pillow pytest';
const FIND_MODULES =
  "import sys, importlib.util as u; sys.exit(any(u.find_spec(m) is None for m in ('torch', 'PIL', 'pytest')))";

/** The Python the runner's tests use: $THAW_PYTHON, else /usr/bin/python3, else python3 on PATH. */
export function pythonOf(env = process.env) {
  if (env.THAW_PYTHON) return { path: env.THAW_PYTHON, custom: true };
  return { path: existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', custom: false };
}

/** 'debian', 'ubuntu' (and their derivatives by ID_LIKE), or 'other', from /etc/os-release text. */
export function distroOf(osRelease) {
  const field = (name) =>
    (new RegExp(`^${name}=["']?([^"'\\n]*)`, 'm').exec(osRelease ?? '')?.[1] ?? '').toLowerCase();
  const ids = [field('ID'), ...field('ID_LIKE').split(/\s+/)];
  if (ids.includes('ubuntu')) return 'ubuntu';
  if (ids.includes('debian')) return 'debian';
  return 'other';
}

/**
 * What to do, from what this machine has: nothing, an install (each step a command line
 * run in order, `sudo` when not root), or stop with one command for the user. Pure.
 * `have`: { browser, python, customPython, chromiumPath }; `os`: { distro, apt, root, sudo }.
 */
export function planTools(have, os) {
  const needPython = !have.python;
  const needBrowser = !have.browser;
  if (!needPython && !needBrowser) return { action: 'ok' };
  const what = [
    needBrowser ? 'a Chromium for the browser tests' : null,
    needPython ? 'python3 with torch, Pillow and pytest for the runner tests' : null,
  ].filter(Boolean);
  const missing = `The tests need ${what.join(' and ')}.`;
  // An explicit CHROMIUM_PATH wins over any install: a wrong one is the user's to fix.
  if (needBrowser && have.chromiumPath)
    return {
      action: 'stop',
      message: `CHROMIUM_PATH=${have.chromiumPath} does not exist. Point it at a Chrome or Chromium executable, or unset it: unset CHROMIUM_PATH`,
    };
  // An explicit THAW_PYTHON is the user's own Python: apt-get cannot install into it.
  if (needPython && have.customPython)
    return {
      action: 'stop',
      message: `${missing} THAW_PYTHON=${have.customPython} lacks them. Run: ${have.customPython} -m pip install torch pillow pytest`,
    };
  if (os.distro === 'other' || !os.apt) {
    const steps = [
      needBrowser ? 'npx playwright install chromium' : null,
      needPython ? PIP : null,
    ].filter(Boolean);
    return { action: 'stop', message: `${missing} Run: ${steps.join(' && ')}` };
  }
  // Ubuntu's `chromium` package only installs a snap, which does not run in containers or
  // CI: there Playwright's own Chromium (and its system libraries, through apt-get) is used.
  const aptPackages = [
    ...(needBrowser && os.distro === 'debian' ? ['chromium'] : []),
    ...(needPython ? PYTHON_PACKAGES : []),
  ];
  const sudo = os.root ? '' : 'sudo ';
  const steps = [];
  if (aptPackages.length > 0)
    steps.push(
      `${sudo}apt-get update`,
      `${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y ${aptPackages.join(' ')}`,
    );
  if (needBrowser && os.distro === 'ubuntu')
    steps.push('npx playwright install --with-deps chromium');
  const command = steps.join(' && ');
  if (!os.root && !os.sudo)
    return {
      action: 'stop',
      message: `${missing} Run: ${command.replace(/env DEBIAN_FRONTEND=noninteractive /, '')}`,
    };
  return {
    action: 'install',
    steps,
    message: `${missing} Installing: ${aptPackages.join(' ')}${
      needBrowser && os.distro === 'ubuntu'
        ? `${aptPackages.length ? ', then ' : ''}Playwright's Chromium (Ubuntu's chromium package is a snap, which does not run here)`
        : ''
    }`,
  };
}

function succeeds(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

async function survey() {
  const python = pythonOf();
  const have = {
    browser: Boolean(await findBrowser()),
    // Found, not imported (importing torch takes seconds); the runner tests import them.
    python: succeeds(python.path, ['-c', FIND_MODULES]),
    customPython: python.custom ? python.path : null,
    chromiumPath: process.env.CHROMIUM_PATH || null,
  };
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const os = {
    distro: existsSync('/etc/os-release')
      ? distroOf(readFileSync('/etc/os-release', 'utf8'))
      : 'other',
    apt: succeeds('sh', ['-c', 'command -v apt-get']),
    root,
    sudo: !root && succeeds('sudo', ['-n', 'true']),
  };
  return { have, os };
}

async function main() {
  const first = await survey();
  const plan = planTools(first.have, first.os);
  if (plan.action === 'ok') return;
  if (plan.action === 'stop') {
    console.error(plan.message);
    process.exit(1);
  }
  console.log(plan.message);
  for (const step of plan.steps) {
    console.log(`$ ${step}`);
    const result = spawnSync('sh', ['-c', step], { stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`This step failed (exit ${result.status ?? result.signal}): ${step}`);
      process.exit(1);
    }
  }
  const after = await survey();
  const still = planTools(after.have, after.os);
  if (still.action !== 'ok') {
    console.error(`Still missing after the install. ${still.message}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
