import { useState } from 'react';
import { BackendControls } from '../ui/backend-controls';
import { ProjectControls } from '../ui/project-controls';
import { DataPanel } from '../ui/data-panel';
import { LessonsPanel } from '../ui/lessons-panel';
import { ModelPanel } from '../ui/model-panel';
import { TrainPanel } from '../ui/train-panel';

/** One screen, read left to right: data → model layers → training; or the lessons beside training. */
export function App() {
  const [lessons, setLessons] = useState(false);
  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">
          Thaw <span className="brand-sub">transfer-learning studio</span>
        </h1>
        <button
          type="button"
          className="button lessons-toggle"
          aria-pressed={lessons}
          onClick={() => setLessons((on) => !on)}
        >
          Lessons
        </button>
        <ProjectControls />
        <BackendControls />
      </header>
      {lessons ? (
        <main className="columns lessons-mode">
          <LessonsPanel />
          <TrainPanel />
        </main>
      ) : (
        <main className="columns">
          <DataPanel />
          <ModelPanel />
          <TrainPanel />
        </main>
      )}
    </div>
  );
}
