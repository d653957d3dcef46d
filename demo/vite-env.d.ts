// Vite asset imports (`*?url`) used by the demo page.
/// <reference types="vite/client" />
