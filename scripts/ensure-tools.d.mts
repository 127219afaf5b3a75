// Types of ensure-tools.mjs, for its unit test.
export declare const PYTHON_PACKAGES: string[];
export declare function pythonOf(env?: Record<string, string | undefined>): {
  path: string;
  custom: boolean;
};
export declare function distroOf(
  osRelease: string | null | undefined,
): 'debian' | 'ubuntu' | 'other';
export interface Have {
  browser: boolean;
  python: boolean;
  customPython: string | null;
  /** $CHROMIUM_PATH when set. */
  chromiumPath?: string | null;
}
export interface Os {
  distro: 'debian' | 'ubuntu' | 'other';
  apt: boolean;
  root: boolean;
  sudo: boolean;
}
export type Plan =
  | { action: 'ok' }
  | { action: 'stop'; message: string }
  | { action: 'install'; steps: string[]; message: string };
export declare function planTools(have: Have, os: Os): Plan;
