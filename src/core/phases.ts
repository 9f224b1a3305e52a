// The fixed order in which a route's policies run. A policy implements only the phases it needs;
// the chain compiler (chain.ts) drops empty phases at load so the request path never visits them.
export const REQUEST_PHASES = ['onRequest', 'authenticate', 'authorize', 'limit', 'transformRequest'] as const
export const PHASES = [...REQUEST_PHASES, 'proxy', 'onResponse', 'onLog'] as const

export type RequestPhase = (typeof REQUEST_PHASES)[number]
export type Phase = (typeof PHASES)[number]
