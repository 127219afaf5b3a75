import { BackendControls } from '../ui/backend-controls';
import { ProjectControls } from '../ui/project-controls';
import { DataPanel } from '../ui/data-panel';
import { ModelPanel } from '../ui/model-panel';
import { TrainPanel } from '../ui/train-panel';

/** One screen, read left to right: data → model layers → training. */
export function App() {
  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">
          Thaw <span className="brand-sub">transfer-learning studio</span>
        </h1>
        <ProjectControls />
        <BackendControls />
      </header>
      <main className="columns">
        <DataPanel />
        <ModelPanel />
        <TrainPanel />
      </main>
    </div>
  );
}
