// buildEmulatorApp: the Fastify app of the Procore emulator, assembled from its parts in order.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerBodyParsers } from './body.js';
import { installRequestHooks } from './outage.js';
import { installErrorHandlers } from './responses.js';
import { registerAuthorizeRoutes } from './routes/authorize.js';
import { registerControlRoutes } from './routes/control.js';
import { registerRestRoutes } from './routes/rest.js';
import { registerTokenRoutes } from './routes/token.js';
import { EmulatorState, type EmulatorStateOptions } from './state.js';

export interface BuildEmulatorAppOptions extends EmulatorStateOptions {
  /** Share a state with the caller (tests read and steer it directly); otherwise one is made from the options. */
  state?: EmulatorState;
  /** Fastify's logger option; default off. Tokens travel in headers and bodies, which Fastify does not log. */
  logger?: FastifyServerOptions['logger'];
  /** A pino instance to log through instead. */
  loggerInstance?: FastifyBaseLogger;
}

export function buildEmulatorApp(options: BuildEmulatorAppOptions = {}): FastifyInstance {
  const state = options.state ?? new EmulatorState(options);
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    // Held "timeout" requests would otherwise keep close() waiting forever.
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  registerBodyParsers(app);
  installErrorHandlers(app);
  installRequestHooks(app, state);
  registerAuthorizeRoutes(app, state);
  registerTokenRoutes(app, state);
  registerRestRoutes(app, state);
  registerControlRoutes(app, state);
  return app;
}
