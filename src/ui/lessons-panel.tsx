import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../state/store';
import {
  agreesWithTable,
  lessonTimeLeft,
  lessonVerdict,
  VERDICT_LABEL,
} from '../strategy/lesson-verdict';
import {
  LESSON_MAX_SEEDS,
  LESSON_MIN_SEEDS,
  LESSONS,
  lessonById,
  QUADRANT_LESSON,
  type Lesson,
} from '../strategy/lessons';
import { QuadrantExperiment } from './quadrant-experiment';
import type { LessonState } from '../state/lessons-slice';
import { LessonChart } from './charts/lesson-chart';
import { NumberField } from './number-field';
import { useStudioActions } from './studio-actions';

/** Re-renders once a second while `on`, for a clock. */
function useTick(on: boolean): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!on) return;
    const id = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(id);
  }, [on]);
}

const clock = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
};

/** Each piece of advice as a live experiment: one click loads, trains and shows what happened. */
export function LessonsPanel() {
  const { runLesson, stopLesson } = useStudioActions();
  const state = useStudio((s) => s.lesson);
  const busy = useStudio(
    (s) => s.phase === 'features' || s.phase === 'training' || s.sweep?.status === 'running',
  );
  const running = state?.status === 'running';
  const lesson = state ? lessonById(state.lessonId) : undefined;
  // null: each lesson runs its own number of seeds; a number the user typed applies to all.
  const [seeds, setSeeds] = useState<number | null>(null);
  return (
    <section aria-label="Lessons" className="panel lessons">
      <h2>Lessons</h2>
      {!state && (
        <p className="small muted lessons-intro">
          One click runs a piece of transfer-learning advice live: the lesson loads its network and
          images, trains the plans it compares over several seeds and says whether the advice held
          here. Its runs are ordinary runs in Runs.
        </p>
      )}
      <ul className={`lesson-buttons${state ? '' : ' catalogue'}`}>
        {LESSONS.map((l) => (
          <li key={l.id}>
            <button
              type="button"
              className={`button lesson-button${state?.lessonId === l.id ? ' current' : ''}`}
              aria-label={`Run lesson: ${l.title}`}
              title={l.claim}
              disabled={running || busy}
              onClick={() => runLesson(l.id, seeds ?? l.seeds)}
            >
              {l.title}
            </button>
            {!state && <p className="lesson-item-claim">{l.claim}</p>}
          </li>
        ))}
        <li>
          <button
            type="button"
            className={`button lesson-button${state?.lessonId === QUADRANT_LESSON.id ? ' current' : ''}`}
            aria-label={`Run lesson: ${QUADRANT_LESSON.title}`}
            title={QUADRANT_LESSON.claim}
            disabled={running || busy}
            onClick={() => runLesson(QUADRANT_LESSON.id, seeds ?? undefined)}
          >
            {QUADRANT_LESSON.title}
          </button>
          {!state && <p className="lesson-item-claim">{QUADRANT_LESSON.claim}</p>}
        </li>
      </ul>
      <div className="field-row lesson-seeds">
        <NumberField
          name="Seeds per plan"
          value={seeds ?? LESSONS[0]!.seeds}
          min={LESSON_MIN_SEEDS}
          max={LESSON_MAX_SEEDS}
          step={1}
          integer
          disabled={running}
          onChange={setSeeds}
        />
        <span className="small muted">
          More seeds tell smaller differences from noise.
          {seeds === null && ' Until you change it, each lesson runs its own number of seeds.'}
        </span>
      </div>
      {state?.lessonId === QUADRANT_LESSON.id && <QuadrantLessonResult state={state} />}
      {state && lesson && <LessonProgress state={state} lesson={lesson} onStop={stopLesson} />}
      {state && lesson && <LessonResult state={state} lesson={lesson} />}
    </section>
  );
}

function LessonProgress({
  state,
  lesson,
  onStop,
}: {
  state: LessonState;
  lesson: Lesson;
  onStop: () => void;
}) {
  const running = state.status === 'running';
  useTick(running);
  const left = running ? lessonTimeLeft(state.runs, state.remaining) : null;
  const elapsed = ((state.endedAt ?? Date.now()) - state.startedAt) / 1000;
  return (
    <div className="lesson-progress">
      <progress aria-label="Lesson progress" max={state.total} value={state.runs.length} />
      <span className="small" role="status" aria-label="Lesson status">
        {state.runs.length} / {state.total} runs · {clock(elapsed)}
        {left !== null ? ` · about ${clock(left)} left` : ''}
        {state.step ? ` · ${state.step}` : ''}
        {state.status === 'stopped' ? ' · stopped; the finished runs are kept' : ''}
        {state.status === 'done' ? ` · ${lesson.title}: finished` : ''}
      </span>
      {running && (
        <button type="button" className="button" onClick={onStop}>
          Stop lesson
        </button>
      )}
    </div>
  );
}

function LessonResult({ state, lesson }: { state: LessonState; lesson: Lesson }) {
  // Run ids only: the run list changes every epoch, the numbers shown here do not.
  const runIds = useStudio(useShallow((s) => s.runs.map((r) => r.id)));
  const outcome = lessonVerdict(lesson, state.runs);
  const final = state.status === 'done';
  const agrees = final ? agreesWithTable(lesson, outcome.verdict) : null;
  const numbers = state.runs.map((r) => runIds.indexOf(r.runId) + 1).filter((n) => n > 0);
  return (
    <section
      aria-label="Lesson result"
      className="lesson-result"
      data-verdict={final ? (outcome.verdict ?? 'none') : 'pending'}
    >
      <h3 className="lesson-title">
        {lesson.title}
        {final && outcome.verdict && (
          <span className={`verdict verdict-${outcome.verdict}`}>
            {VERDICT_LABEL[outcome.verdict]}
          </span>
        )}
        {!final && <span className="verdict verdict-pending">{statusWord(state)}</span>}
      </h3>
      <div className="lesson-body">
        <LessonChart
          arms={outcome.arms}
          source={lesson.metrics.includes('source')}
          sourceBefore={outcome.sourceBefore}
        />
        <div className="lesson-text">
          <p className="lesson-claim">
            <strong>Claim:</strong> {lesson.claim}
          </p>
          <p className="small muted">{lesson.setup}</p>
          {outcome.sentences.map((s) => (
            <p key={s}>{s}</p>
          ))}
          {lesson.note && <p className="small">{lesson.note}</p>}
          <p className="small">
            {agrees === true && 'Same verdict as the committed table. '}
            {agrees === false &&
              'The committed table’s verdict differs; with few seeds and 100 test images per run, seed noise is large. '}
            {lesson.table}
          </p>
          {state.error && (
            <p role="alert" className="error-text small">
              {state.error}
            </p>
          )}
          {numbers.length > 0 && (
            <p className="small muted">
              Its runs in Runs: {numbers.map((n) => `#${n}`).join(', ')}.
            </p>
          )}
        </div>
      </div>
    </section>
  );
}

/** The four quadrants: the quadrant experiment, run on the lesson's sample and quadrant. */
function QuadrantLessonResult({ state }: { state: LessonState }) {
  const l = QUADRANT_LESSON;
  return (
    <section aria-label="Lesson result" className="lesson-result" data-verdict="experiment">
      <h3 className="lesson-title">{l.title}</h3>
      <p className="lesson-claim">
        <strong>Claim:</strong> {l.claim}
      </p>
      <p className="small muted">{l.setup}</p>
      <p className="small">{l.table}</p>
      {state.status === 'running' && (
        <p className="small" role="status" aria-label="Lesson status">
          {state.step}
        </p>
      )}
      {state.error && (
        <p role="alert" className="error-text small">
          {state.error}
        </p>
      )}
      {state.status === 'done' && <QuadrantExperiment />}
    </section>
  );
}

function statusWord(state: LessonState): string {
  if (state.status === 'running') return 'Running…';
  if (state.status === 'stopped') return 'Stopped';
  return 'Failed';
}
