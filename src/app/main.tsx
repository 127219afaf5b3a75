import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { createStudio } from './studio';
import { createStudioStorage } from '../storage/studio-storage';
import { StudioActionsContext } from '../ui/studio-actions';
import '../ui/styles.css';

const studio = createStudio(undefined, createStudioStorage());
void studio.start();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <StudioActionsContext.Provider value={studio.actions}>
      <App />
    </StudioActionsContext.Provider>
  </StrictMode>,
);
