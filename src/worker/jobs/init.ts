/** Job: start tfjs on the best (or the requested) backend and report what it got. */
import { selectBackend } from '../../training/backends';
import type { JobHandler } from '../context';

export const initBackend: JobHandler<'init'> = async (ctx, req, reply) => {
  const report = await selectBackend(req.backend);
  const onWasm = report.jobs.features === 'wasm';
  ctx.report = { ...report, featureWorkers: onWasm ? (ctx.prefixPool?.size() ?? 0) : 0 };
  reply({ type: 'backend', report: ctx.report });
};
