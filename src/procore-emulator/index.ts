// The Procore emulator's public surface: app, listener, state, seed format and the demo data.
export { buildEmulatorApp, type BuildEmulatorAppOptions } from './app.js';
export { startEmulator, type RunningEmulator, type StartEmulatorOptions } from './server.js';
export { EmulatorState, type EmulatorStateOptions, type EmulatorStats } from './state.js';
export { parseSeed, type EmulatorSeed, type NormalizedSeed, type SeedId, type ToolAccess, type ToolName } from './seed.js';
export { DEMO_APP, DEMO_SEED, demoSeed } from './demo.js';
export type { RegisteredApp } from './app-registration.js';
export type { EmulatorSettings, OutageSettings } from './settings.js';
export { BadRequestError } from './validation.js';
export { INVALID_GRANT_DESCRIPTION, REFRESH_TOKEN_EXPIRED_DESCRIPTION } from './grants.js';
export type { TokenResponse } from './tokens.js';
