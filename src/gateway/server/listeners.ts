import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { ListenerConfig, ServerLimits } from '../../config/types.ts'
import { onClientError } from './client-error.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { sendProblem } from '../../core/errors/problem.ts'

export type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse, expectContinue: boolean) => void

export interface Listener {
  name: string
  server: http.Server
  address(): { host: string; port: number }
}

/** Creates and binds one listener; node's strict parser and bounded timeouts stay on. */
export async function openListener(config: ListenerConfig, limits: ServerLimits, onRequest: RequestListener, exclusive: boolean): Promise<Listener> {
  const options: http.ServerOptions = {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // node checks the two timeouts above only this often (30 s by default).
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs || 1000, limits.requestTimeoutMs || 1000) / 4))),
    insecureHTTPParser: false,
    requireHostHeader: true,
    joinDuplicateHeaders: false,
  }
  const server =
    config.protocol === 'https' && config.tls !== undefined
      ? https.createServer({ ...options, cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) })
      : http.createServer(options)
  server.maxConnections = limits.maxConnections
  server.on('request', (req, res) => onRequest(req, res, false))
  // Handling checkContinue ourselves lets routing and policies (e.g. a body-size limit) answer
  // before the client sends its body; 100 Continue goes out only when the body is wanted.
  server.on('checkContinue', (req, res) => onRequest(req, res, true))
  server.on('checkExpectation', (_req, res) => sendProblem(res, new GatehouseError('GH_ERR_EXPECTATION_FAILED', 'only "Expect: 100-continue" is supported'), undefined, true))
  server.on('clientError', onClientError)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: config.host, port: config.port, exclusive }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    name: config.name,
    server,
    address() {
      const address = server.address() as AddressInfo
      return { host: address.address, port: address.port }
    },
  }
}

/** Stops accepting, closes idle keep-alive connections, and resolves when all connections ended. */
export function closeListener(listener: Listener): Promise<void> {
  return new Promise((resolve) => {
    listener.server.close(() => resolve())
    listener.server.closeIdleConnections()
  })
}
