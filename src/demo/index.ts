// The demo and the stand-alone emulator, reached only through `bin/ncs-server`'s lazy import.
export { runDemo } from './demo.js';
export { runEmulator } from './emulator-command.js';
export { seedDemo, DEMO_USERS, DEMO_PROJECTS, DEMO_PASSWORD } from './seed-demo.js';
