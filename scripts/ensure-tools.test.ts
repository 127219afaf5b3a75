import { describe, expect, it } from 'vitest';
import { distroOf, planTools, pythonOf, type Have, type Os } from './ensure-tools.mjs';

const all: Have = { browser: true, python: true, customPython: null };
const debianRoot: Os = { distro: 'debian', apt: true, root: true, sudo: false };
const APT = 'env DEBIAN_FRONTEND=noninteractive apt-get install -y';

describe('what `npm test` installs before it starts', () => {
  it('does nothing when the browser and the Python packages are there', () => {
    expect(planTools(all, debianRoot)).toEqual({ action: 'ok' });
    expect(planTools(all, { distro: 'other', apt: false, root: false, sudo: false })).toEqual({
      action: 'ok',
    });
  });

  it('installs what is missing with apt-get on Debian as root, and only that', () => {
    expect(planTools({ ...all, browser: false, python: false }, debianRoot)).toMatchObject({
      action: 'install',
      steps: ['apt-get update', `${APT} chromium python3-torch python3-pil python3-pytest`],
    });
    expect(planTools({ ...all, python: false }, debianRoot)).toMatchObject({
      steps: ['apt-get update', `${APT} python3-torch python3-pil python3-pytest`],
    });
    expect(planTools({ ...all, browser: false }, debianRoot)).toMatchObject({
      steps: ['apt-get update', `${APT} chromium`],
    });
  });

  it('uses password-free sudo when not root, and stops with the command without it', () => {
    const user: Os = { ...debianRoot, root: false, sudo: true };
    expect(planTools({ ...all, python: false }, user)).toMatchObject({
      action: 'install',
      steps: ['sudo apt-get update', `sudo ${APT} python3-torch python3-pil python3-pytest`],
    });
    expect(planTools({ ...all, browser: false }, { ...user, sudo: false })).toEqual({
      action: 'stop',
      message:
        'The tests need a Chromium for the browser tests. Run: sudo apt-get update && sudo apt-get install -y chromium',
    });
  });

  it("on Ubuntu takes Playwright's Chromium, not the snap-only chromium package", () => {
    const ubuntu: Os = { distro: 'ubuntu', apt: true, root: true, sudo: false };
    const plan = planTools({ ...all, browser: false, python: false }, ubuntu);
    expect(plan).toMatchObject({
      action: 'install',
      steps: [
        'apt-get update',
        `${APT} python3-torch python3-pil python3-pytest`,
        'npx playwright install --with-deps chromium',
      ],
    });
    expect(plan.action === 'install' && plan.message).toMatch(/snap/);
    expect(planTools({ ...all, browser: false }, ubuntu)).toMatchObject({
      steps: ['npx playwright install --with-deps chromium'],
    });
  });

  it('elsewhere, or for a Python of its own, stops at once with the one command to run', () => {
    const mac: Os = { distro: 'other', apt: false, root: false, sudo: true };
    expect(planTools({ ...all, browser: false, python: false }, mac)).toEqual({
      action: 'stop',
      message:
        'The tests need a Chromium for the browser tests and python3 with torch, Pillow and pytest for the runner tests. Run: npx playwright install chromium && python3 -m pip install torch pillow pytest',
    });
    expect(
      planTools({ browser: true, python: false, customPython: '/opt/py/bin/python' }, debianRoot),
    ).toMatchObject({
      action: 'stop',
      message: /Run: \/opt\/py\/bin\/python -m pip install torch pillow pytest$/,
    });
  });

  it('never installs over a CHROMIUM_PATH that points nowhere', () => {
    expect(planTools({ ...all, browser: false, chromiumPath: '/opt/none' }, debianRoot)).toEqual({
      action: 'stop',
      message:
        'CHROMIUM_PATH=/opt/none does not exist. Point it at a Chrome or Chromium executable, or unset it: unset CHROMIUM_PATH',
    });
  });

  it('reads the distribution from /etc/os-release, derivatives included', () => {
    expect(distroOf('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')).toBe('debian');
    expect(distroOf('ID=ubuntu\nID_LIKE=debian\n')).toBe('ubuntu');
    expect(distroOf('ID=linuxmint\nID_LIKE="ubuntu debian"\n')).toBe('ubuntu');
    expect(distroOf('ID=raspbian\nID_LIKE=debian\n')).toBe('debian');
    expect(distroOf('ID="fedora"\n')).toBe('other');
    expect(distroOf('')).toBe('other');
  });

  it('checks the Python the runner tests use', () => {
    expect(pythonOf({ THAW_PYTHON: '/x/python' })).toEqual({ path: '/x/python', custom: true });
    expect(pythonOf({}).custom).toBe(false);
  });
});
