// The benchmark's Markdown report, and the comparison of two result files.
import { fmt, round, summary } from './stats.mjs';

const s1 = (ms) => (ms === null || ms === undefined ? '—' : String(round(ms / 1000, 3)));
const mb = (b) => (b === null || b === undefined ? '—' : String(round(b / 2 ** 20, 3)));
const inSeconds = (st) =>
  st && st.median !== null
    ? { ...st, median: st.median / 1000, min: st.min / 1000, max: st.max / 1000 }
    : st;
const ranAs = (b) => {
  const gpu = b.gpu === 'software' && /web(gl|gpu)/.test(b.active) ? ' (software GPU)' : '';
  const active = b.choice === 'auto' || b.active !== b.choice ? ` → ${b.active}${gpu}` : gpu;
  const j = b.jobs;
  const split =
    j && (j.features !== b.active || j.head !== b.active || j.fineTune !== b.active)
      ? `; features on ${j.features}, head on ${j.head}, fine-tune on ${j.fineTune}`
      : '';
  return `${b.choice}${active}${split}`;
};

const SCALE_HEADER = [
  '| images | backend (ran as) | model, px | plan | images kept in | ingestion s (img/s) | features or cache s (img/s) | epoch s (ms/img) | peak worker heap MB | peak worker buffers MB | peak page heap MB | main-thread tasks > 50 ms while training | worker tensors after | stored | outcome |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
const CANCEL_HEADER = [
  '| images in folder | backend (ran as) | model, px | read when cancelled | s to reach it: all (files handed to the page; pick → reading starts; pick → reached) | longest main-thread task s, pick → reached (tasks > 50 ms) | s from the click to the bar gone and the notice shown | notice | peak worker heap MB | peak worker buffers MB | outcome |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];

function scaleRow(x) {
  const epoch = x.epochMs
    ? `${round(x.epochMs / 1000, 3)} (${round(x.epochMs / x.images, 3)})`
    : '—';
  return `| ${x.images.toLocaleString('en')} | ${x.backend} → ${x.active ?? '?'} | ${x.modelLabel}, ${x.size} | ${x.planLabel ?? 'head only'}${x.quadrantPlan ? ` (${x.quadrantPlan})` : ''}, ${x.epochs?.n ?? x.epochs} epochs${x.source ? `; ${x.source.classes} classes × ${x.source.perClass} from ${x.source.folder.split('/').slice(-2).join('/')}` : ''} | ${x.imagesWhere ?? '—'}${x.memoryMB ? ` (budget ${x.memoryMB} MB)` : ''} | ${x.ingestS ? `${round(x.ingestS, 3)} (${round(x.ingestImagesPerSecond, 3)})` : '—'} | ${x.featuresS ? `${round(x.featuresS, 3)} (${round(x.featuresImagesPerSecond, 3)})` : '—'} | ${epoch} | ${mb(x.peak?.workerHeap)} | ${mb(x.peak?.workerBuffers)} | ${mb(x.peak?.pageHeap)} | ${x.longTasks ?? '—'} | ${x.tensors?.after ?? '—'} | ${x.stored?.replace(/^.*Stored:\s*/, '') || '—'} | ${x.completed ? 'completed' : `failed: ${x.error}`} |`;
}

function cancelRow(c) {
  const outcome = c.crashed
    ? 'the page crashed'
    : c.error
      ? `failed: ${c.error}`
      : `${c.cancelled ? 'cancelled' : 'not cancelled'}, page ${c.pageAlive ? 'answers' : 'does not answer'}`;
  return `| ${c.images.toLocaleString('en')} | ${c.backend} → ${c.active ?? '?'} | ${c.modelLabel}, ${c.size} | ${c.readBeforeClick?.toLocaleString('en') ?? '—'} | ${c.secondsToThreshold ? round(c.secondsToThreshold, 3) : '—'}${c.setFilesS !== undefined ? ` (${[c.setFilesS, c.pickToBusyS, c.pickToThresholdS].map((v) => (v === null ? '—' : round(v, 3))).join('; ')})` : ''} | ${c.longestTaskS === undefined ? '—' : `${round(c.longestTaskS, 3)} (${c.longTasks})`} | ${c.cancelS === null || c.cancelS === undefined ? '—' : round(c.cancelS, 3)} | ${c.notice ?? '—'} | ${mb(c.peak?.workerHeap)} | ${mb(c.peak?.workerBuffers)} | ${outcome} |`;
}

const SCALE_TEXT =
  "One folder of many images (a bundled sample repeated under new names: the photos for the MobileNetV2, the 28-px Fashion target images for the teaching CNN; or, where the plan names a folder, that many real images from its class folders, e.g. CIFAR-10), ingested and trained through the UI, head only (features once, a softmax head) or with the top block fine-tuned (frozen up to block_15_project_BN; block_16 and Conv_1 trained on the frozen-prefix cache, whose build is the 'features or cache' column), or with the plan the quadrant picker applies for a large, similar dataset (named in the row). The page heap and the worker heap and array buffers are sampled every 5 s, the largest kept. 'Images kept in' is the Memory status's `data-images-where` after the read: `memory`, or `storage` (IndexedDB, read per batch) past the memory budget. Epoch s is the median of the epochs after the first (the only one for a 1-epoch run); ms/img divides it by the images.";
const CANCEL_TEXT =
  "Cancelling at scale, on a page of its own: the folder picked, `Cancel reading` clicked once the progress bar shows at least the given number of images read, and the time (in the page) from the click until the progress bar is gone and the dataset notice is shown. The time to reach the threshold is split, where measured, into handing the folder's files to the page (Playwright's `setInputFiles`, before the page sees a pick), the page's time from the pick until reading starts (the studio's `data-decoding` turns `yes`) and from the pick until the threshold.";

function scaleSection(r, line) {
  if (r.scale?.length || r.scaleCancel?.length) {
    line();
    line('## Scale');
    line();
  }
  if (r.scale?.length) {
    line(SCALE_TEXT);
    line();
    for (const h of SCALE_HEADER) line(h);
    for (const x of r.scale) line(scaleRow(x));
  }
  if (r.scaleCancel?.length) {
    if (r.scale?.length) line();
    line(CANCEL_TEXT);
    line();
    for (const h of CANCEL_HEADER) line(h);
    for (const c of r.scaleCancel) line(cancelRow(c));
  }
}

/** One Markdown file with the scale rows of several result files ({ file, r }). */
export function scaleSummary(results) {
  const out = [];
  const line = (s = '') => out.push(s);
  line('# Thaw at scale');
  line();
  for (const { file, r } of results)
    line(
      `- \`${file}\`: \`${r.command}\` · commit ${r.commit} · ${r.date} · ${r.machine.browser} · WebGL renderer: ${r.machine.gpu ?? '?'} · ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB · ${Math.round(r.durationS / 60)} min.`,
    );
  line();
  line(SCALE_TEXT);
  line();
  // Each row names the commit it measured, first column (several rows repeat a configuration).
  const tagged = (row, commit) => row.replace(/^\| /, `| ${commit} · `);
  line('Rows start with the commit they measured.');
  line();
  for (const h of SCALE_HEADER) line(h);
  for (const { r } of results) for (const x of r.scale ?? []) line(tagged(scaleRow(x), r.commit));
  const cancels = results.flatMap(({ r }) => (r.scaleCancel ?? []).map((c) => ({ c, r })));
  if (cancels.length) {
    line();
    line(CANCEL_TEXT);
    line();
    for (const h of CANCEL_HEADER) line(h);
    for (const { c, r } of cancels) line(tagged(cancelRow(c), r.commit));
  }
  line();
  return out.join('\n');
}

export function markdown(r) {
  const out = [];
  const line = (s = '') => out.push(s);
  line(`# Thaw benchmark, ${r.date}${r.quick ? ' (quick smoke run)' : ''}`);
  line();
  line(
    `Command: \`${r.command}\` · commit ${r.commit} · ${r.machine.browser} (headless, \`${r.machine.browserArgs.join(' ')}\`) · WebGL renderer: ${r.machine.gpu ?? '?'} · Node ${r.machine.node} · ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB · load average ${r.machine.loadBefore.join(', ')} before, ${r.machine.loadAfter?.join(', ') ?? '—'} after · ${Math.round(r.durationS / 60)} min.`,
  );
  line();
  line(
    'Every figure is the median of its repetitions, with the smallest and largest in brackets. Each network and input size gets a fresh page; its first run (cold: wasm compiled, shaders built, first kernels run) is shown apart from the steady runs after it, and the first epoch of a run (network rebuilt, initial features) apart from the later ones.',
  );
  line();
  if (r.backends.length === 0) {
    scaleSection(r, line);
    line();
    for (const n of r.notes) line(`- ${n}`);
    line();
    return out.join('\n');
  }
  line('## Start-up');
  line();
  line('| what | seconds |');
  line('|---|---|');
  line(
    `| page load → backend ready and the default model's layers listed (a fresh page for every backend, network and input size) | ${fmt(inSeconds(summary(r.backends.flatMap((b) => b.startupMs))))} |`,
  );
  line();
  line('## Ingestion, features and head-only training (the studio, driven through its UI)');
  line();
  line(
    'Ingestion: folder picked → every image decoded (cover-crop to the input size) in the worker, images/s. Features: the frozen network once per image in the worker (the timing the studio shows), images/s. Head-only epoch: softmax head on cached features, one epoch of training plus validation, ms.',
  );
  line();
  line(
    '| backend (ran as) | model | px | images | ingestion img/s | features img/s | features img/s, first run | head-only epoch ms | first epoch ms |',
  );
  line('|---|---|---|---|---|---|---|---|---|');
  for (const b of r.backends)
    for (const c of b.configs)
      line(
        `| ${ranAs(b)} | ${c.modelLabel} | ${c.size} | ${c.images} | ${fmt(c.ingest)} | ${fmt(c.features)} | ${fmt(c.featuresFirst)} | ${fmt(c.headEpochMs)} | ${fmt(c.headFirstEpochMs)} |`,
      );
  line();
  line('## Partial fine-tune: frozen-prefix cache against `model.fit`, same run, same worker');
  line();
  line(
    `Trained: ${r.fineTune.description}. Both sides train the same layers on the same images and backend, in the benchmark page's worker (\`scripts/bench/page/worker.ts\`): the studio's engine (\`trainWithPlan\`: prefix computed once, cached, each epoch runs only the trained layers) and the naive way (tfjs \`model.fit\` on the full network, the frozen layers set \`trainable = false\`, so every epoch runs them on every image). Repetitions alternate between the two; a ratio pairs neighbouring repetitions. Whole run = set-up, cache and all epochs; \`model.fit\` runs BatchNorm in training mode while the engine keeps fine-tuned BatchNorm in inference mode (the studio's default), which is a little less work on the engine's side.`,
  );
  line();
  line(
    '| backend (ran as) | model | px | train / val images | epochs | trained params | cache build s | cached epoch ms | `model.fit` epoch ms | epoch speed-up | whole-run speed-up |',
  );
  line('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const b of r.backends)
    for (const c of b.baseline)
      line(
        `| ${ranAs(b)} | ${c.modelLabel} | ${c.size} | ${c.trainImages} / ${c.validationImages} | ${c.epochs} | ${c.trainableParams.engine.toLocaleString('en')} | ${fmt(inSeconds(c.prefixMs))} | ${fmt(c.engineEpochMs)} | ${c.naiveError && c.naiveEpochMs.n === 0 ? c.naiveError : fmt(c.naiveEpochMs)} | ${c.epochRatio.n ? `${fmt(c.epochRatio)}×` : '—'} | ${c.runRatio.n ? `${fmt(c.runRatio)}×` : '—'} |`,
      );
  line();
  line('## Partial fine-tune in the studio (UI)');
  line();
  line(
    'The same plan through the UI: the first run builds the cache, the runs after it start from the cache.',
  );
  line();
  line(
    '| backend (ran as) | model | px | images | cache build s (first run) | epoch ms | first epoch ms | trained params |',
  );
  line('|---|---|---|---|---|---|---|---|');
  for (const b of r.backends)
    for (const f of b.fineTune)
      line(
        `| ${ranAs(b)} | ${f.modelLabel} | ${f.size} | ${f.images} | ${s1(f.cacheBuildMs)} | ${fmt(f.epochMs)} | ${fmt(f.firstEpochMs)} | ${f.trainableParams.toLocaleString('en')} |`,
      );
  line();
  line('## Main-thread long tasks while training');
  line();
  line(
    'Tasks over 50 ms on the page (PerformanceObserver `longtask`) between the Train click and the run reported done, over every training run of the backend.',
  );
  line();
  line(
    'Split by when they fell: before the first epoch (features), during the epochs, and after the last epoch (evaluation, storing the run, drawing the results). Each cell: count, total ms, longest ms.',
  );
  line();
  line(
    '| backend (ran as) | runs | seconds training | long tasks | total ms | longest ms | features | epochs | after the last epoch |',
  );
  line('|---|---|---|---|---|---|---|---|---|');
  const cell = (p) => (p ? `${p.count} · ${p.totalMs} · ${p.maxMs}` : '—');
  for (const b of r.backends) {
    const l = b.longTasks;
    if (!l) continue;
    line(
      `| ${ranAs(b)} | ${l.runs} | ${l.trainingSeconds} | ${l.count} | ${l.totalMs} | ${l.maxMs} | ${cell(l.byPhase?.features)} | ${cell(l.byPhase?.epochs)} | ${cell(l.byPhase?.finish)} |`,
    );
  }
  line();
  line('## Memory: after 1 epoch and after N');
  line();
  line(
    "Worker tensors (tf.memory().numTensors after the run), worker JS heap and array buffers (DevTools protocol, after a garbage collection) and the page's JS heap (`performance.memory`, after `gc()`), after a 1-epoch run and after an N-epoch run on the same data.",
  );
  line();
  line(
    '| backend (ran as) | model, px | plan | N | tensors after 1 → N | worker heap MB 1 → N | worker buffers MB 1 → N | page heap MB 1 → N |',
  );
  line('|---|---|---|---|---|---|---|---|');
  for (const b of r.backends)
    for (const m of b.memory)
      line(
        `| ${ranAs(b)} | ${m.modelLabel}, ${m.size} | ${m.plan} | ${m.epochs} | ${m.tensors.join(' → ')} | ${m.workerHeap.map(mb).join(' → ')} | ${m.workerBuffers.map(mb).join(' → ')} | ${m.pageHeap.map(mb).join(' → ')} |`,
      );
  scaleSection(r, line);
  if (r.notes.length > 0) {
    line();
    line('## Notes');
    line();
    for (const n of r.notes) line(`- ${n}`);
  }
  line();
  return out.join('\n');
}

/** Every comparable figure of a result file, by a stable key. */
function figures(r) {
  const f = new Map();
  const put = (key, st, kind) => st && st.median !== null && f.set(key, { value: st.median, kind });
  for (const b of r.backends) {
    for (const c of b.configs) {
      const k = `${b.choice} ${c.model} ${c.size}`;
      put(`${k} ingestion img/s`, c.ingest, 'speed');
      put(`${k} features img/s`, c.features, 'speed');
      put(`${k} head epoch ms`, c.headEpochMs, 'speed');
    }
    for (const c of b.fineTune)
      put(`${b.choice} ${c.model} ${c.size} studio fine-tune epoch ms`, c.epochMs, 'speed');
    for (const c of b.baseline) {
      const k = `${b.choice} ${c.model} ${c.size}`;
      put(`${k} cached epoch ms`, c.engineEpochMs, 'speed');
      put(`${k} model.fit epoch ms`, c.naiveEpochMs, 'speed');
      put(`${k} epoch speed-up`, c.epochRatio, 'ratio');
      put(`${k} whole-run speed-up`, c.runRatio, 'ratio');
    }
  }
  return f;
}

/** Markdown table of the relative difference of every figure two result files share. */
export function compareResults(a, b) {
  const fa = figures(a);
  const fb = figures(b);
  const rows = [];
  for (const [key, x] of fa) {
    const y = fb.get(key);
    if (!y) continue;
    const diff = (Math.abs(x.value - y.value) / ((x.value + y.value) / 2)) * 100;
    rows.push({ key, kind: x.kind, a: x.value, b: y.value, diff });
  }
  const out = [`| figure | ${a.date} | ${b.date} | difference % |`, '|---|---|---|---|'];
  for (const r of rows) out.push(`| ${r.key} | ${r.a} | ${r.b} | ${round(r.diff, 2)} |`);
  const by = (kind) => rows.filter((r) => r.kind === kind).map((r) => r.diff);
  const line = (name, d) =>
    d.length
      ? `${name}: ${d.length} figures, median difference ${round(summary(d).median, 2)}%, largest ${round(Math.max(...d), 2)}%`
      : `${name}: none shared`;
  out.push('', line('Times and throughputs', by('speed')), line('Speed-up ratios', by('ratio')));
  return out.join('\n');
}
