/** Why `version` (e.g. `v20.20.2`) cannot run Gatehouse, or undefined when it can. */
export function unsupportedNode(version: string): string | undefined
