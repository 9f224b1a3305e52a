// Large configs for the scale case (LOAD-07): many routes, many consumers, in the YAML a user
// would write. Shared by the test and the micro benchmark, so both load the same thing.

/** The API key of consumer `i`: 16+ printable characters, distinct per consumer. */
export const scaleApiKey = (i: number): string => `scale-key-${String(i).padStart(8, '0')}-0123456789abcdef`

export interface ScaleConfigOptions {
  routes: number
  consumers: number
  upstreamUrl: string
}

/**
 * `routes` routes `/svc<i>/items/:id` (every tenth also behind the api-key policy) and
 * `consumers` consumers with one API key each; one worker.
 */
export function scaleConfigYaml(options: ScaleConfigOptions): string {
  const lines = ['workers: 1', `upstreams: { backend: { targets: ['${options.upstreamUrl}'] } }`, 'routes:']
  for (let i = 0; i < options.routes; i++) {
    const policies = i % 10 === 0 ? ', policies: { api-key: {} }' : ''
    lines.push(`  - { name: r${i}, paths: ['/svc${i}/items/:id'], upstream: backend${policies} }`)
  }
  if (options.consumers > 0) lines.push('consumers:')
  for (let i = 0; i < options.consumers; i++) {
    lines.push(`  - { id: c${i}, apiKeys: [ { key: '${scaleApiKey(i)}', label: k } ] }`)
  }
  return lines.join('\n') + '\n'
}
