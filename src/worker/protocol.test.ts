/**
 * The job map of the worker protocol: the compiler pairs each job with its own answers
 * (the `@ts-expect-error` lines below fail `tsc` the day a wrong answer compiles), the
 * runtime table the client reads is whole, and docs/architecture.md's protocol table is
 * the one this table writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JobHandler, ReplyTo } from './context';
import {
  endsJob,
  IMMEDIATE_TABLE,
  JOB_TABLE,
  TABLE_IS_COMPLETE,
  type JobName,
  type Request,
  type ToWorker,
} from './protocol';

const JOBS = Object.keys(JOB_TABLE) as JobName[];

describe('the compiler pairs a request with what it may receive', () => {
  it('rejects an answer sent for the wrong request (checked by tsc)', async () => {
    const sent: unknown[] = [];
    const probe: JobHandler<'probe'> = async (_ctx, req, reply) => {
      reply({ type: 'probe-progress', done: req.perClass });
      // @ts-expect-error a probe never ends with a training run's `done`
      reply({ type: 'done', stopped: true });
      // @ts-expect-error `epoch` belongs to the train job
      reply({ type: 'epoch', metrics: { epoch: 1 } });
      // @ts-expect-error errors are the worker's to send, for every job alike
      reply({ type: 'error', message: 'no' });
      reply({ type: 'probe-stopped' });
    };
    const reply: ReplyTo<'probe'> = (answer) => void sent.push(answer);
    await probe({} as never, { type: 'probe', id: 'probe-1', perClass: 3, seed: 1 }, reply);
    expect(sent.map((m) => (m as { type: string }).type)).toEqual([
      'probe-progress',
      'done',
      'epoch',
      'error',
      'probe-stopped',
    ]);
  });

  it('rejects a request with another job’s fields, and a handler for another job (checked by tsc)', () => {
    // @ts-expect-error a probe takes perClass and seed, not a training plan
    const wrong: Request<'probe'> = { type: 'probe', id: 'p', params: {}, plan: {} };
    const trainLike: JobHandler<'train'> = async () => {};
    // @ts-expect-error a train handler cannot stand in for the probe: its reply differs
    const asProbe: JobHandler<'probe'> = trainLike;
    // @ts-expect-error the old id field is gone
    const old: ToWorker = { type: 'init', runId: 'init-1', backend: 'auto' };
    expect([wrong, asProbe, old]).toHaveLength(3);
  });
});

describe('the job table', () => {
  it('is complete (a missing field or answer does not compile)', () => {
    expect(TABLE_IS_COMPLETE).toBe(true);
  });

  it('gives every job at least one final answer, and every answer to one job only', () => {
    const owners = new Map<string, string[]>();
    for (const job of JOBS) {
      const row = JOB_TABLE[job];
      expect(row.final.length, job).toBeGreaterThan(0);
      for (const type of [...row.onTheWay, ...row.final])
        owners.set(type, [...(owners.get(type) ?? []), job]);
    }
    const shared = [...owners].filter(([, jobs]) => jobs.length > 1);
    expect(shared).toEqual([]);
    expect(owners.has('error')).toBe(false);
  });

  it('ends a job with its final answers and with error, not with what comes on the way', () => {
    for (const job of JOBS) {
      expect(endsJob(job, 'error'), job).toBe(true);
      for (const type of JOB_TABLE[job].final) expect(endsJob(job, type), type).toBe(true);
      for (const type of JOB_TABLE[job].onTheWay) expect(endsJob(job, type), type).toBe(false);
    }
    // The model comes first; the job ends once the images are decoded again, if they must be.
    expect(endsJob('load-model', 'model')).toBe(false);
    expect(endsJob('load-model', 'model-ready')).toBe(true);
    // Another job's final answer does not end this one.
    expect(endsJob('probe', 'done')).toBe(false);
  });
});

const DOC = new URL('../../docs/architecture.md', import.meta.url);
const START =
  '<!-- protocol-table: written from JOB_TABLE and IMMEDIATE_TABLE in src/worker/protocol.ts; src/worker/protocol.test.ts checks it -->';
const END = '<!-- /protocol-table -->';

const code = (names: readonly string[]) =>
  names.length > 0 ? names.map((n) => `\`${n}\``).join(', ') : '—';

/** The protocol table of docs/architecture.md, as the job table says it must read. */
function protocolTable(): string {
  const answers = new Set<string>(['error', 'lock-held']);
  for (const job of JOBS)
    for (const type of [...JOB_TABLE[job].onTheWay, ...JOB_TABLE[job].final]) answers.add(type);
  const immediate = Object.keys(IMMEDIATE_TABLE) as (keyof typeof IMMEDIATE_TABLE)[];
  return [
    START,
    '',
    `${JOBS.length} queued jobs and ${immediate.length} immediate requests (${JOBS.length + immediate.length} request types); ${answers.size} answer types.`,
    '',
    '| request (job) | fields besides `type` | answers on the way | final answer |',
    '|---|---|---|---|',
    ...JOBS.map((job) => {
      const row = JOB_TABLE[job];
      return `| \`${job}\` | ${code(['id', ...row.fields])} | ${code(row.onTheWay)} | ${code(row.final)} or \`error\` |`;
    }),
    ...immediate.map((name) => {
      const row = IMMEDIATE_TABLE[name];
      return `| \`${name}\` (immediate) | ${code(row.fields)} | — | ${code(row.answer)} |`;
    }),
    '',
    END,
  ].join('\n');
}

describe('docs/architecture.md', () => {
  it('lists each job with its request fields, its answers and its final answer, as the job table does', () => {
    const doc = readFileSync(DOC, 'utf8');
    const from = doc.indexOf(START);
    const to = doc.indexOf(END);
    expect(from, `docs/architecture.md lacks the line ${START}`).toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThan(from);
    const written = doc.slice(from, to + END.length);
    if (process.env.WRITE_PROTOCOL_TABLE && written !== protocolTable())
      writeFileSync(DOC, doc.replace(written, protocolTable()));
    else
      expect(
        written,
        'The protocol table is out of date: run WRITE_PROTOCOL_TABLE=1 npx vitest run src/worker/protocol.test.ts',
      ).toBe(protocolTable());
  });
});
