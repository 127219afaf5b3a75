/**
 * The import rules must fire: a rule that never fires is a rule that is wrong. Each case
 * lints a made-up file placed on one floor that imports from a floor it may not.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function problems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import boundaries', () => {
  it.each([
    ['src/domain/x.ts', "import { useStudio } from '../state/store';"],
    ['src/strategy/x.ts', "import { buildModel } from '../model/load';"],
    ['src/ui/x.ts', "import { createWorkerClient } from '../client/worker-client';"],
    ['src/ui/x.ts', "import { train } from '../worker/jobs/train';"],
    ['src/client/x.ts', "import { useStudio } from '../state/store';"],
    ['src/state/x.ts', "import { createStudio } from '../app/studio';"],
    ['src/training/x.ts', "import { train } from '../worker/jobs/train';"],
    ['src/model/x.ts', "import { trainWithPlan } from '../training/engine';"],
    ['src/data/x.ts', "import { buildModel } from '../model/load';"],
  ])('%s may not: %s', async (path, code) => {
    const found = await problems(path, `${code}\nexport const keep = 1;\n`);
    expect(found.some((p) => p.startsWith('import-x/no-restricted-paths'))).toBe(true);
  });

  it('allows the downward direction', async () => {
    expect(
      await problems(
        'src/ui/x.ts',
        "import { MODE_LABEL } from '../domain';\nexport const m = MODE_LABEL;\n",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'src/worker/x.ts',
        "import { trainWithPlan } from '../training/engine';\nexport const t = trainWithPlan;\n",
      ),
    ).toEqual([]);
  });

  it.each(['src/ui/x.ts', 'src/worker/x.ts', 'src/worker/jobs/x.ts', 'src/app/x.ts'])(
    'keeps tfjs out of %s',
    async (path) => {
      const found = await problems(
        path,
        "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n",
      );
      expect(found.some((p) => p.startsWith('no-restricted-imports'))).toBe(true);
    },
  );

  it('lets training/ use tfjs', async () => {
    expect(
      await problems(
        'src/training/x.ts',
        "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n",
      ),
    ).toEqual([]);
  });
});
