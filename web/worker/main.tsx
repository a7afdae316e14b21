import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './worker.css';

// Grid worker app (/w/): mobile, installable, works offline.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// The service worker keeps the app shell so /w/ opens with no network. It sits at the site root
// (a script may always take a scope below its own folder) and serves only the /w/ pages.
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/worker-sw.js', { scope: '/w/' }).catch((error) => console.warn('service worker not registered', error));
  });
}
