// Public API of the config subsystem.
export { ConfigError, formatConfigIssues, type ConfigIssue } from './issues.ts'
export { loadConfigFile, parseConfigText, type LoadOptions } from './load.ts'
export type { PolicyRegistry } from './policies.ts'
export { redactConfig, REDACTED } from './redact.ts'
export { CONFIG_SCHEMA } from './schema.ts'
export type * from './types.ts'
