/** Job: start tfjs on the best (or the requested) backend and report what it got. */
import { selectBackend } from '../../training/backends';
import type { JobHandler } from '../context';

export const initBackend: JobHandler<'init'> = async (ctx, req, reply) => {
  ctx.report = await selectBackend(req.backend);
  reply({ type: 'backend', report: ctx.report });
};
