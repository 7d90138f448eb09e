export { createLogger, LOG_LEVELS } from './logger.js';
export type { LogFields, LogLevel, LogSink, Logger, LoggerOptions } from './logger.js';
export { ConfigError, loadConfig } from './config.js';
export type {
  BooleanSpec,
  Config,
  ConfigIssue,
  ConfigSchema,
  ConfigSpec,
  EnumSpec,
  Env,
  IntegerSpec,
  NumberSpec,
  PortSpec,
  StringSpec,
  UrlSpec,
} from './config.js';
export { createHealthServer, healthHandler, runHealthChecks } from './health.js';
export type { CheckResult, HealthCheck, HealthOptions, HealthReport, HealthServer, HealthServerOptions, HealthStatus } from './health.js';
export { VERSION } from './version.js';
