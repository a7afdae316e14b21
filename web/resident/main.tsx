import { createRoot } from 'react-dom/client';

// Resident QR pages (/r/:placeCode report, /t/:token tracking): kept tiny, no antd.
createRoot(document.getElementById('root')!).render(<p>民情直通</p>);
