// The shared vocabulary: statuses, reasons, errors and API payloads.
export * from './status.js';
export * from './reasons.js';
export * from './errors.js';
export * from './api.js';
export * from './redact.js';
export * from './proxy.js';
