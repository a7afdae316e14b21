import { createRoot } from 'react-dom/client';

// Grid worker app (/w/): mobile, installable, works offline.
createRoot(document.getElementById('root')!).render(<p>网格员</p>);
