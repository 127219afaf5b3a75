import { useStudioActions } from './studio-actions';

/** Save the whole studio as one file, or open one (e.g. a prepared lesson). */
export function ProjectControls() {
  const { saveProject, openProject } = useStudioActions();
  return (
    <div className="project-controls">
      <button type="button" className="button small" onClick={() => void saveProject()}>
        Save project
      </button>
      <label className="button small file-button">
        Open project…
        <input
          type="file"
          accept=".zip,application/zip"
          aria-label="Open project"
          className="visually-hidden"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void openProject(file);
            e.target.value = '';
          }}
        />
      </label>
    </div>
  );
}
