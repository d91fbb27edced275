export { COWORK_SERVER_VERSION, COWORK_SERVER_PROTOCOL_VERSION } from './core/version.js';
export { buildApp } from './cowork/server/app.js';
export { createContext } from './cowork/server/context.js';
export { serve, main } from './cowork/server/main.js';
