// The JS heap of a dedicated worker, read over the Chrome DevTools Protocol: a worker has
// no `performance.memory`, so the benchmark attaches to it, collects garbage and asks.

/** { usedSize, totalSize, backingStorageSize } of the newest worker whose URL matches, or null. */
export async function workerHeap(browser, urlPattern) {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.filter((t) => t.type === 'worker' && urlPattern.test(t.url)).at(-1);
    if (!target) return null;
    const { sessionId } = await cdp.send('Target.attachToTarget', {
      targetId: target.targetId,
      flatten: false,
    });
    const pending = new Map();
    let id = 0;
    cdp.on('Target.receivedMessageFromTarget', (e) => {
      if (e.sessionId !== sessionId) return;
      const m = JSON.parse(e.message);
      pending.get(m.id)?.(m);
    });
    const send = (method, params = {}) =>
      new Promise((resolve) => {
        const mid = ++id;
        pending.set(mid, resolve);
        void cdp.send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id: mid, method, params }),
        });
      });
    await send('HeapProfiler.collectGarbage');
    const usage = await send('Runtime.getHeapUsage');
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    return usage.result ?? null;
  } finally {
    await cdp.detach().catch(() => {});
  }
}
