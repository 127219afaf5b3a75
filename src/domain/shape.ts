/**
 * Reading a layer's output shape as the studio writes it ("28×28×32"; several outputs joined
 * with " | "): its spatial size, its channels, how many values it holds per image. Only the
 * first output counts.
 */

function dims(shape: string | undefined): string[] {
  const first = (shape ?? '').split(' | ')[0] ?? '';
  return first.split('×').filter((d) => d !== '');
}

const known = (d: string) => /^\d+$/.test(d);

/** The spatial part ("28×28", empty for a vector) and the last dimension (null when unknown). */
export function shapeParts(shape: string | undefined): { size: string; channels: number | null } {
  const all = dims(shape);
  const last = all[all.length - 1];
  return {
    size: all.slice(0, -1).join('×'),
    channels: last !== undefined && known(last) ? Number(last) : null,
  };
}

/** Output positions per image: the product of the spatial dimensions (1 for a vector). */
export function shapePositions(shape: string | undefined): number {
  return dims(shape)
    .slice(0, -1)
    .filter(known)
    .reduce((n, d) => n * Number(d), 1);
}

/** Values per image: the product of every known dimension. */
export function shapeValues(shape: string | undefined): number {
  return dims(shape)
    .filter(known)
    .reduce((n, d) => n * Number(d), 1);
}

/** True for a map of height × width × channels (a conv output, average-pooled to take features). */
export function isSpatial(shape: string | undefined): boolean {
  return dims(shape).length === 3;
}
