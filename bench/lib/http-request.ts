// One HTTP request with a method, headers and a body, for setting a scenario up and checking its
// targets before they are loaded (wait.ts's httpGet sends neither).
import http from 'node:http'

export interface Answer {
  status: number
  body: string
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Default: a fresh connection. */
  agent?: http.Agent
  timeoutMs?: number
}

export function requestOnce(url: string, options: RequestOptions = {}): Promise<Answer> {
  const timeoutMs = options.timeoutMs ?? 5000
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${url}: no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(options.body)
  })
}
