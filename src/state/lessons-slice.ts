import type { StateCreator } from 'zustand';
import type { LessonRun } from '../strategy/lesson-verdict';
import type { StudioState } from './store';

/** A lesson in progress or finished: its runs so far, and what it is doing now. */
export interface LessonState {
  lessonId: string;
  status: 'running' | 'done' | 'stopped' | 'failed';
  /** What the lesson is doing now (loading the network, a sample, training a run). */
  step: string;
  runs: LessonRun[];
  /** Runs planned in all (arms × seeds). */
  total: number;
  /** The arm of each run still to train, in order (for the time left). */
  remaining: number[];
  startedAt: number;
  endedAt: number | null;
  error: string | null;
}

export interface LessonsSlice {
  lesson: LessonState | null;
  startLesson: (lessonId: string, arms: number[]) => void;
  setLessonStep: (step: string) => void;
  addLessonRun: (run: LessonRun) => void;
  endLesson: (status: LessonState['status'], error?: string | null) => void;
}

export const LESSONS_INITIAL = { lesson: null } satisfies Partial<LessonsSlice>;

export const lessonsSlice: StateCreator<StudioState, [], [], LessonsSlice> = (set) => ({
  ...LESSONS_INITIAL,
  startLesson: (lessonId, arms) =>
    set({
      lesson: {
        lessonId,
        status: 'running',
        step: 'Starting…',
        runs: [],
        total: arms.length,
        remaining: arms,
        startedAt: Date.now(),
        endedAt: null,
        error: null,
      },
    }),
  setLessonStep: (step) => set((s) => (s.lesson ? { lesson: { ...s.lesson, step } } : {})),
  addLessonRun: (run) =>
    set((s) =>
      s.lesson
        ? {
            lesson: {
              ...s.lesson,
              runs: [...s.lesson.runs, run],
              remaining: s.lesson.remaining.slice(1),
            },
          }
        : {},
    ),
  endLesson: (status, error = null) =>
    set((s) =>
      s.lesson ? { lesson: { ...s.lesson, status, error, step: '', endedAt: Date.now() } } : {},
    ),
});
